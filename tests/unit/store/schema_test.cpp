#include "store/schema.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::latest_schema_version;
using ecsbox::store::migrate;
using ecsbox::store::SchemaTooNewError;
using ecsbox::store::StoreError;
using ecsbox::testing::TempDir;

namespace {

std::int64_t user_version(Database& db) {
    auto guard = db.lock();
    auto query = db.prepare("PRAGMA user_version");
    REQUIRE(query->step());
    return query->int64(0);
}

std::vector<std::string> tables(Database& db) {
    auto guard = db.lock();
    auto query = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    std::vector<std::string> names;
    while (query->step()) names.push_back(query->text(0));
    return names;
}

std::int64_t cluster_count(Database& db) {
    auto guard = db.lock();
    auto query = db.prepare("SELECT count(*) FROM clusters");
    REQUIRE(query->step());
    return query->int64(0);
}

}  // namespace

TEST_CASE("migrating a fresh database brings it to the latest schema version", "[store][schema]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    REQUIRE(user_version(db) == 0);
    migrate(db);
    CHECK(latest_schema_version() >= 1);
    CHECK(user_version(db) == latest_schema_version());
    CHECK(tables(db) == std::vector<std::string>{"account_settings", "attributes", "client_tokens", "clusters", "container_instances",
                                                 "ecr_image_blobs", "ecr_image_tags", "ecr_images", "ecr_repositories",
                                                 "ecr_repository_blobs", "ecr_uploads", "elb_listeners", "elb_load_balancers",
                                                 "elb_rule_target_groups", "elb_rules", "elb_target_groups", "elb_targets",
                                                 "engines", "meta", "service_deployments", "service_events", "services",
                                                 "sqlite_sequence", "tags", "task_definition_families",
                                                 "task_definitions", "tasks"});
}

TEST_CASE("migrating an up-to-date database changes nothing", "[store][schema]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    migrate(db);
    db.exec("INSERT INTO clusters VALUES ('arn:c', 'a', 'r', 'c', 'ACTIVE', '{}', 1)");
    const auto before = tables(db);
    REQUIRE_NOTHROW(migrate(db));
    CHECK(user_version(db) == latest_schema_version());
    CHECK(tables(db) == before);
    CHECK(cluster_count(db) == 1);
}

TEST_CASE("a database written by a newer ecsbox is refused and left untouched", "[store][schema]") {
    TempDir dir;
    Database db(dir.path() + "/t.db");
    const int newer = latest_schema_version() + 1;
    db.exec("PRAGMA user_version = " + std::to_string(newer));
    CHECK_THROWS_AS(migrate(db), SchemaTooNewError);
    CHECK_THROWS_AS(migrate(db), StoreError);  // a SchemaTooNewError is a StoreError
    CHECK_THROWS_WITH(migrate(db), Catch::Contains(std::to_string(newer)));
    CHECK(user_version(db) == newer);
    CHECK(tables(db).empty());
}

TEST_CASE("migrated data survives closing and reopening the database", "[store][schema]") {
    TempDir dir;
    const std::string path = dir.path() + "/t.db";
    {
        Database db(path);
        migrate(db);
        db.exec("INSERT INTO clusters VALUES ('arn:c', 'a', 'r', 'c', 'ACTIVE', '{}', 1)");
    }
    Database db(path);
    CHECK(user_version(db) == latest_schema_version());
    migrate(db);
    CHECK(cluster_count(db) == 1);
}

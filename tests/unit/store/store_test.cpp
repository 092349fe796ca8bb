#include "store/store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "store/db.hpp"
#include "store/schema.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::ClusterRecord;
using ecsbox::store::Database;
using ecsbox::store::latest_schema_version;
using ecsbox::store::SchemaTooNewError;
using ecsbox::store::Scope;
using ecsbox::store::Store;
using ecsbox::store::StoreError;
using ecsbox::testing::TempDir;

namespace {
const Scope k_scope{"000000000000", "us-east-1"};
const ClusterRecord k_cluster{"arn:aws:ecs:us-east-1:000000000000:cluster/c", "c", "ACTIVE", "{}", 10};
}  // namespace

TEST_CASE("opening a store creates ecsbox.db in the data directory", "[store][store_open]") {
    TempDir dir;
    REQUIRE_FALSE(std::filesystem::exists(dir.path() + "/ecsbox.db"));
    Store store(dir.path());
    CHECK(std::filesystem::is_regular_file(dir.path() + "/ecsbox.db"));
}

TEST_CASE("a reopened store sees the data written before", "[store][store_open]") {
    TempDir dir;
    {
        Store store(dir.path());
        store.clusters().put(k_scope, k_cluster);
        store.tags().put(k_cluster.arn, {{"k", "v"}});
        store.account_settings().put(k_scope, {"arn:aws:iam::000000000000:root", "containerInsights", "enabled"});
        const auto revision = store.task_definitions().next_revision(k_scope, "web");
        store.task_definitions().insert(
            k_scope, {"arn:aws:ecs:us-east-1:000000000000:task-definition/web:1", "web", revision, "ACTIVE", "{}", 1,
                      std::nullopt, std::nullopt});
    }
    Store store(dir.path());
    const auto cluster = store.clusters().find(k_scope, "c");
    REQUIRE(cluster);
    CHECK(cluster->arn == k_cluster.arn);
    CHECK(store.tags().count(k_cluster.arn) == 1);
    CHECK(store.account_settings().find(k_scope, "arn:aws:iam::000000000000:root", "containerInsights"));
    CHECK(store.task_definitions().find(k_scope, "web", 1));
    CHECK(store.task_definitions().next_revision(k_scope, "web") == 2);
}

TEST_CASE("a store transaction makes mutations of several tables atomic", "[store][store_open]") {
    TempDir dir;
    Store store(dir.path());
    {
        auto tx = store.transaction();
        store.clusters().put(k_scope, k_cluster);
        store.tags().put(k_cluster.arn, {{"k", "v"}});
    }
    CHECK_FALSE(store.clusters().find(k_scope, "c"));
    CHECK(store.tags().count(k_cluster.arn) == 0);
    {
        auto tx = store.transaction();
        store.clusters().put(k_scope, k_cluster);
        store.tags().put(k_cluster.arn, {{"k", "v"}});
        tx.commit();
    }
    CHECK(store.clusters().find(k_scope, "c"));
    CHECK(store.tags().count(k_cluster.arn) == 1);
}

TEST_CASE("a store over a missing data directory throws StoreError", "[store][store_open]") {
    TempDir dir;
    CHECK_THROWS_AS(Store(dir.path() + "/missing"), StoreError);
}

TEST_CASE("a store whose database is from a newer ecsbox throws SchemaTooNewError", "[store][store_open]") {
    TempDir dir;
    {
        Database db(dir.path() + "/ecsbox.db");
        db.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
    }
    CHECK_THROWS_AS(Store(dir.path()), SchemaTooNewError);
}

TEST_CASE("a data directory keeps one installation id across reopening", "[store]") {
    TempDir dir;
    std::string first;
    {
        Store store(dir.path());
        first = store.installation_id();
    }
    Store again(dir.path());
    CHECK(first.size() == 32);
    CHECK(again.installation_id() == first);
    TempDir other;
    CHECK(Store(other.path()).installation_id() != first);
}

TEST_CASE("the registry secret is made once per data directory and differs from the installation id",
          "[store][store_open]") {
    TempDir dir;
    std::string first;
    {
        Store store(dir.path());
        first = store.registry_secret();
        CHECK(first.size() == 64);
        CHECK(first != store.installation_id());
    }
    CHECK(Store(dir.path()).registry_secret() == first);
    TempDir other;
    CHECK(Store(other.path()).registry_secret() != first);
}

TEST_CASE("a reset forgets every resource and keeps the installation's identity", "[store][store_open]") {
    TempDir dir;
    std::string installation;
    {
        Store store(dir.path());
        installation = store.installation_id();
        store.clusters().put(k_scope, k_cluster);
        store.tags().put(k_cluster.arn, {{"k", "v"}});
        store.reset();
        CHECK_FALSE(store.clusters().find(k_scope, "c"));
        CHECK(store.tags().list(k_cluster.arn).empty());
        store.clusters().put(k_scope, k_cluster);
        store.reset();
    }
    Store reopened(dir.path());
    CHECK(reopened.installation_id() == installation);
    CHECK_FALSE(reopened.clusters().find(k_scope, "c"));
}

#include "store/ecr_repositories_store.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/ecr_images_store.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::EcrImageRecord;
using ecsbox::store::EcrImagesStore;
using ecsbox::store::EcrRepositoriesStore;
using ecsbox::store::EcrRepositoryRecord;
using ecsbox::store::Scope;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    EcrRepositoriesStore repositories{migrated(db)};
    EcrImagesStore images{db};
};

const Scope k_scope{"000000000000", "us-east-1"};
const Scope k_other_region{"000000000000", "eu-west-1"};

EcrRepositoryRecord repository(const Scope& scope, const std::string& name, double created_at = 1) {
    EcrRepositoryRecord record;
    record.scope = scope;
    record.name = name;
    record.arn = "arn:aws:ecr:" + scope.region + ":" + scope.account + ":repository/" + name;
    record.created_at = created_at;
    record.body = R"({"imageTagMutability":"MUTABLE"})";
    return record;
}

std::vector<std::string> names(const std::vector<EcrRepositoryRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.name);
    return out;
}

std::int64_t count_rows(Database& db, const std::string& table) {
    auto guard = db.lock();
    auto query = db.prepare("SELECT count(*) FROM " + table);
    query->step();
    return query->int64(0);
}

}  // namespace

TEST_CASE("an inserted repository is found by name and by id with every field", "[store][ecr]") {
    Fixture f;
    auto record = repository(k_scope, "team/app", 12.5);
    record.policy = "{}";
    const auto id = f.repositories.insert(record);
    REQUIRE(id);
    const auto found = f.repositories.find(k_scope, "team/app");
    REQUIRE(found);
    CHECK(found->id == *id);
    CHECK(found->scope.account == k_scope.account);
    CHECK(found->scope.region == k_scope.region);
    CHECK(found->arn == record.arn);
    CHECK(found->created_at == 12.5);
    CHECK(found->body == record.body);
    CHECK(found->policy == "{}");
    CHECK_FALSE(found->lifecycle_policy);
    CHECK(f.repositories.find_by_id(*id)->name == "team/app");
    CHECK_FALSE(f.repositories.find(k_other_region, "team/app"));
    CHECK_FALSE(f.repositories.find_by_id(*id + 1));
}

TEST_CASE("a repository name is unique per scope only", "[store][ecr]") {
    Fixture f;
    REQUIRE(f.repositories.insert(repository(k_scope, "app")));
    CHECK_FALSE(f.repositories.insert(repository(k_scope, "app")));
    CHECK(f.repositories.insert(repository(k_other_region, "app")));
    CHECK(f.repositories.list_all().size() == 2);
}

TEST_CASE("repository ids are never reused after a delete", "[store][ecr]") {
    Fixture f;
    const auto first = f.repositories.insert(repository(k_scope, "app"));
    REQUIRE(f.repositories.remove(*first));
    const auto second = f.repositories.insert(repository(k_scope, "app"));
    CHECK(*second > *first);
    CHECK_FALSE(f.repositories.remove(*first));
}

TEST_CASE("repositories list by name after a key, with a limit and a literal prefix", "[store][ecr]") {
    Fixture f;
    for (const char* name : {"b", "a_x", "ab", "a/c", "c"}) REQUIRE(f.repositories.insert(repository(k_scope, name)));
    REQUIRE(f.repositories.insert(repository(k_other_region, "aa")));
    CHECK(names(f.repositories.list(k_scope, std::nullopt, 10)) ==
          std::vector<std::string>{"a/c", "a_x", "ab", "b", "c"});
    CHECK(names(f.repositories.list(k_scope, std::nullopt, 2)) == std::vector<std::string>{"a/c", "a_x"});
    CHECK(names(f.repositories.list(k_scope, std::string("a_x"), 2)) == std::vector<std::string>{"ab", "b"});
    CHECK(names(f.repositories.list(k_scope, std::nullopt, 10, std::string("a"))) ==
          std::vector<std::string>{"a/c", "a_x", "ab"});
    // '_' is no wildcard: "a_" must not match "ab".
    CHECK(names(f.repositories.list(k_scope, std::nullopt, 10, std::string("a_"))) ==
          std::vector<std::string>{"a_x"});
    CHECK(names(f.repositories.list(k_scope, std::string("a/c"), 10, std::string("a"))) ==
          std::vector<std::string>{"a_x", "ab"});
}

TEST_CASE("body, policy and lifecycle policy are updated by id", "[store][ecr]") {
    Fixture f;
    const auto id = *f.repositories.insert(repository(k_scope, "app"));
    CHECK(f.repositories.update_body(id, R"({"imageTagMutability":"IMMUTABLE"})"));
    CHECK(f.repositories.set_policy(id, std::string(R"({"Statement":[]})")));
    CHECK(f.repositories.set_lifecycle_policy(id, std::string("{rules}"), 50));
    CHECK(f.repositories.mark_lifecycle_evaluated(id, 60));
    auto found = *f.repositories.find_by_id(id);
    CHECK(found.body == R"({"imageTagMutability":"IMMUTABLE"})");
    CHECK(found.policy == R"({"Statement":[]})");
    CHECK(found.lifecycle_policy == "{rules}");
    CHECK(found.lifecycle_policy_updated_at == 50);
    CHECK(found.lifecycle_evaluated_at == 60);

    // A new policy has not been evaluated yet.
    CHECK(f.repositories.set_lifecycle_policy(id, std::string("{other}"), 70));
    found = *f.repositories.find_by_id(id);
    CHECK(found.lifecycle_policy_updated_at == 70);
    CHECK_FALSE(found.lifecycle_evaluated_at);

    CHECK(f.repositories.set_policy(id, std::nullopt));
    CHECK(f.repositories.set_lifecycle_policy(id, std::nullopt, 80));
    found = *f.repositories.find_by_id(id);
    CHECK_FALSE(found.policy);
    CHECK_FALSE(found.lifecycle_policy);
    CHECK_FALSE(found.lifecycle_policy_updated_at);

    CHECK_FALSE(f.repositories.update_body(id + 1, "{}"));
    CHECK_FALSE(f.repositories.set_policy(id + 1, std::nullopt));
    CHECK_FALSE(f.repositories.set_lifecycle_policy(id + 1, std::nullopt, 1));
    CHECK_FALSE(f.repositories.mark_lifecycle_evaluated(id + 1, 1));
}

TEST_CASE("deleting a repository deletes its images, tags, references, links and uploads", "[store][ecr]") {
    Fixture f;
    const auto id = *f.repositories.insert(repository(k_scope, "app"));
    const auto keep = *f.repositories.insert(repository(k_scope, "keep"));
    for (const auto repo : {id, keep}) {
        const EcrImageRecord image{repo, "sha256:aa", "{}", "m", "a", 1, 1, std::nullopt, {}};
        REQUIRE(f.images.put_image(image, {"sha256:l1"}));
        f.images.set_tag(repo, "latest", "sha256:aa");
        f.images.link_blob(repo, "sha256:l1", 5, 1);
        f.images.add_upload({"upload-" + std::to_string(repo), repo, 1});
    }
    REQUIRE(f.repositories.remove(id));
    CHECK_FALSE(f.repositories.find(k_scope, "app"));
    CHECK(count_rows(f.db, "ecr_images") == 1);
    CHECK(count_rows(f.db, "ecr_image_tags") == 1);
    CHECK(count_rows(f.db, "ecr_image_blobs") == 1);
    CHECK(count_rows(f.db, "ecr_repository_blobs") == 1);
    CHECK(count_rows(f.db, "ecr_uploads") == 1);
    CHECK(f.images.find_by_tag(keep, "latest"));
}

#include "store/clusters_store.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/schema.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::ClusterRecord;
using ecsbox::store::ClustersStore;
using ecsbox::store::Database;
using ecsbox::store::Scope;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    ClustersStore clusters{migrated(db)};
};

const Scope k_scope{"000000000000", "us-east-1"};

ClusterRecord cluster(const Scope& scope, const std::string& name, const std::string& status = "ACTIVE",
                      double created_at = 1) {
    return {"arn:aws:ecs:" + scope.region + ":" + scope.account + ":cluster/" + name, name, status,
            R"({"clusterName":")" + name + R"("})", created_at};
}

std::vector<std::string> names(const std::vector<ClusterRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.name);
    return out;
}

}  // namespace

TEST_CASE("finding a cluster that was never put returns nothing", "[store][clusters]") {
    Fixture f;
    CHECK_FALSE(f.clusters.find(k_scope, "default"));
}

TEST_CASE("a put cluster is found by name with every field intact", "[store][clusters]") {
    Fixture f;
    f.clusters.put(k_scope, cluster(k_scope, "default", "ACTIVE", 1700000000.125));
    const auto found = f.clusters.find(k_scope, "default");
    REQUIRE(found);
    CHECK(found->arn == "arn:aws:ecs:us-east-1:000000000000:cluster/default");
    CHECK(found->name == "default");
    CHECK(found->status == "ACTIVE");
    CHECK(found->body == R"({"clusterName":"default"})");
    CHECK(found->created_at == 1700000000.125);
}

TEST_CASE("putting a cluster with an existing name replaces the row", "[store][clusters]") {
    Fixture f;
    f.clusters.put(k_scope, cluster(k_scope, "c", "ACTIVE", 1));
    ClusterRecord replacement{"arn:aws:ecs:us-east-1:000000000000:cluster/c", "c", "INACTIVE", R"({"v":2})", 2};
    f.clusters.put(k_scope, replacement);
    const auto found = f.clusters.find(k_scope, "c");
    REQUIRE(found);
    CHECK(found->status == "INACTIVE");
    CHECK(found->body == R"({"v":2})");
    CHECK(found->created_at == 2);
    CHECK(f.clusters.list_active(k_scope, std::nullopt, 100).empty());
}

TEST_CASE("clusters are scoped by account and region", "[store][clusters]") {
    Fixture f;
    const Scope other_region{"000000000000", "eu-west-1"};
    const Scope other_account{"111111111111", "us-east-1"};
    f.clusters.put(k_scope, cluster(k_scope, "c"));
    CHECK_FALSE(f.clusters.find(other_region, "c"));
    CHECK_FALSE(f.clusters.find(other_account, "c"));
    CHECK(f.clusters.list_active(other_region, std::nullopt, 100).empty());
    CHECK(f.clusters.list_active(other_account, std::nullopt, 100).empty());

    f.clusters.put(other_region, cluster(other_region, "c", "ACTIVE", 5));
    CHECK(f.clusters.find(other_region, "c")->created_at == 5);
    CHECK(f.clusters.find(k_scope, "c")->created_at == 1);
}

TEST_CASE("active clusters are listed by name and inactive ones are left out", "[store][clusters]") {
    Fixture f;
    for (const char* name : {"delta", "alpha", "Charlie", "bravo"}) f.clusters.put(k_scope, cluster(k_scope, name));
    f.clusters.put(k_scope, cluster(k_scope, "gone", "INACTIVE"));
    // Byte order: upper case sorts before lower case.
    CHECK(names(f.clusters.list_active(k_scope, std::nullopt, 100)) ==
          std::vector<std::string>{"Charlie", "alpha", "bravo", "delta"});
}

TEST_CASE("listing clusters pages by name strictly after the last one seen", "[store][clusters]") {
    Fixture f;
    for (const char* name : {"e", "b", "d", "a", "c"}) f.clusters.put(k_scope, cluster(k_scope, name));
    CHECK(names(f.clusters.list_active(k_scope, std::nullopt, 2)) == std::vector<std::string>{"a", "b"});
    CHECK(names(f.clusters.list_active(k_scope, std::string("b"), 2)) == std::vector<std::string>{"c", "d"});
    CHECK(names(f.clusters.list_active(k_scope, std::string("d"), 2)) == std::vector<std::string>{"e"});
    CHECK(f.clusters.list_active(k_scope, std::string("e"), 2).empty());
    // A position between names works too: it need not be an existing cluster.
    CHECK(names(f.clusters.list_active(k_scope, std::string("bb"), 10)) == std::vector<std::string>{"c", "d", "e"});
    CHECK(f.clusters.list_active(k_scope, std::nullopt, 0).empty());
}

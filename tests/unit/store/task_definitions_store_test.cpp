#include "store/task_definitions_store.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/schema.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::FamilyFilter;
using ecsbox::store::Scope;
using ecsbox::store::StoreError;
using ecsbox::store::TaskDefinitionKey;
using ecsbox::store::TaskDefinitionQuery;
using ecsbox::store::TaskDefinitionRecord;
using ecsbox::store::TaskDefinitionsStore;
using ecsbox::store::Transaction;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;

namespace {

const Scope k_scope{"000000000000", "us-east-1"};
const Scope k_other_region{"000000000000", "eu-west-1"};
const Scope k_other_account{"111111111111", "us-east-1"};

std::string arn_of(const Scope& scope, const std::string& family, std::int64_t revision) {
    return "arn:aws:ecs:" + scope.region + ":" + scope.account + ":task-definition/" + family + ":" +
           std::to_string(revision);
}

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    TaskDefinitionsStore defs{migrated(db)};

    // Registers the next revision of a family the way the handler does.
    TaskDefinitionRecord add(const Scope& scope, const std::string& family, double at = 100) {
        Transaction tx(db);
        const auto revision = defs.next_revision(scope, family);
        TaskDefinitionRecord record{arn_of(scope, family, revision),
                                    family,
                                    revision,
                                    "ACTIVE",
                                    R"({"family":")" + family + R"("})",
                                    at,
                                    std::nullopt,
                                    std::nullopt};
        defs.insert(scope, record);
        tx.commit();
        return record;
    }
    TaskDefinitionRecord add(const std::string& family) { return add(k_scope, family); }
};

std::vector<std::string> keys(const std::vector<TaskDefinitionRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.family + ":" + std::to_string(row.revision));
    return out;
}

TaskDefinitionQuery query(std::optional<std::string> family = std::nullopt, std::string status = "ACTIVE",
                          bool descending = false, std::optional<TaskDefinitionKey> after = std::nullopt,
                          std::size_t limit = 100) {
    TaskDefinitionQuery q;
    q.family = std::move(family);
    q.status = std::move(status);
    q.descending = descending;
    q.after = std::move(after);
    q.limit = limit;
    return q;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("revisions of a family are numbered from one upwards", "[store][task_definitions]") {
    Fixture f;
    CHECK(f.defs.next_revision(k_scope, "web") == 1);
    CHECK(f.defs.next_revision(k_scope, "web") == 2);
    CHECK(f.defs.next_revision(k_scope, "web") == 3);
}

TEST_CASE("each family and each scope numbers its revisions independently", "[store][task_definitions]") {
    Fixture f;
    CHECK(f.defs.next_revision(k_scope, "web") == 1);
    CHECK(f.defs.next_revision(k_scope, "web") == 2);
    CHECK(f.defs.next_revision(k_scope, "worker") == 1);
    CHECK(f.defs.next_revision(k_scope, "Web") == 1);
    CHECK(f.defs.next_revision(k_other_region, "web") == 1);
    CHECK(f.defs.next_revision(k_other_account, "web") == 1);
    CHECK(f.defs.next_revision(k_scope, "web") == 3);
}

TEST_CASE("a revision reserved in a rolled back transaction is handed out again", "[store][task_definitions]") {
    Fixture f;
    f.add("web");
    {
        Transaction tx(f.db);
        CHECK(f.defs.next_revision(k_scope, "web") == 2);
    }
    CHECK(f.defs.next_revision(k_scope, "web") == 2);
}

TEST_CASE("revisions are never reused after a family's revisions are purged", "[store][task_definitions]") {
    Fixture f;
    const auto one = f.add("web");
    const auto two = f.add("web");
    f.defs.deregister(one.arn, 200);
    f.defs.deregister(two.arn, 200);
    f.defs.mark_delete_in_progress(one.arn, 300);
    f.defs.mark_delete_in_progress(two.arn, 300);
    REQUIRE(f.defs.purge_deleted(1000).size() == 2);
    REQUIRE_FALSE(f.defs.find(k_scope, "web", 2));
    CHECK(f.add("web").revision == 3);
}

TEST_CASE("an inserted revision is found by family and revision with every field", "[store][task_definitions]") {
    Fixture f;
    f.add(k_scope, "web", 1700000000.5);
    const auto found = f.defs.find(k_scope, "web", 1);
    REQUIRE(found);
    CHECK(found->arn == arn_of(k_scope, "web", 1));
    CHECK(found->family == "web");
    CHECK(found->revision == 1);
    CHECK(found->status == "ACTIVE");
    CHECK(found->body == R"({"family":"web"})");
    CHECK(found->registered_at == 1700000000.5);
    CHECK_FALSE(found->deregistered_at);
    CHECK_FALSE(found->delete_requested_at);
}

TEST_CASE("finding an absent family or revision returns nothing", "[store][task_definitions]") {
    Fixture f;
    f.add("web");
    CHECK_FALSE(f.defs.find(k_scope, "web", 2));
    CHECK_FALSE(f.defs.find(k_scope, "worker", 1));
    CHECK_FALSE(f.defs.find(k_scope, "WEB", 1));
    CHECK_FALSE(f.defs.find_latest_active(k_scope, "worker"));
}

TEST_CASE("inserting the same family and revision twice throws StoreError", "[store][task_definitions]") {
    Fixture f;
    auto record = f.add("web");
    record.arn += "-copy";
    CHECK_THROWS_AS(f.defs.insert(k_scope, record), StoreError);
}

TEST_CASE("task definitions are scoped by account and region", "[store][task_definitions]") {
    Fixture f;
    f.add(k_scope, "web");
    f.add(k_other_region, "other");
    CHECK_FALSE(f.defs.find(k_other_region, "web", 1));
    CHECK_FALSE(f.defs.find(k_other_account, "web", 1));
    CHECK_FALSE(f.defs.find_latest_active(k_other_account, "web"));
    CHECK(keys(f.defs.list(k_scope, query())) == Names{"web:1"});
    CHECK(keys(f.defs.list(k_other_region, query())) == Names{"other:1"});
    CHECK(f.defs.list(k_other_account, query()).empty());
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::nullopt, 100) == Names{"web"});
    CHECK(f.defs.list_families(k_other_region, "", FamilyFilter::all, std::nullopt, 100) == Names{"other"});
    CHECK(f.defs.list_families(k_other_account, "", FamilyFilter::all, std::nullopt, 100).empty());
}

TEST_CASE("find_latest_active returns the highest ACTIVE revision, skipping inactive ones",
          "[store][task_definitions]") {
    Fixture f;
    f.add("web");
    f.add("web");
    const auto three = f.add("web");
    CHECK(f.defs.find_latest_active(k_scope, "web")->revision == 3);
    f.defs.deregister(three.arn, 200);
    CHECK(f.defs.find_latest_active(k_scope, "web")->revision == 2);
    f.defs.deregister(arn_of(k_scope, "web", 2), 200);
    f.defs.mark_delete_in_progress(arn_of(k_scope, "web", 1), 300);
    CHECK_FALSE(f.defs.find_latest_active(k_scope, "web"));
}

TEST_CASE("deregistering makes a revision INACTIVE and records when", "[store][task_definitions]") {
    Fixture f;
    const auto one = f.add("web");
    const auto two = f.add("web");
    f.defs.deregister(one.arn, 250.5);
    const auto found = f.defs.find(k_scope, "web", 1);
    REQUIRE(found);
    CHECK(found->status == "INACTIVE");
    CHECK(found->deregistered_at == std::optional<double>(250.5));
    CHECK_FALSE(found->delete_requested_at);
    CHECK(f.defs.find(k_scope, "web", 2)->status == "ACTIVE");
    CHECK(f.defs.find(k_scope, "web", 2)->body == two.body);
}

TEST_CASE("marking a revision for deletion sets DELETE_IN_PROGRESS and records when",
          "[store][task_definitions]") {
    Fixture f;
    const auto one = f.add("web");
    f.defs.deregister(one.arn, 200);
    f.defs.mark_delete_in_progress(one.arn, 300);
    const auto found = f.defs.find(k_scope, "web", 1);
    REQUIRE(found);
    CHECK(found->status == "DELETE_IN_PROGRESS");
    CHECK(found->deregistered_at == std::optional<double>(200));
    CHECK(found->delete_requested_at == std::optional<double>(300));
}

TEST_CASE("purge_deleted removes only revisions whose deletion was requested before the cutoff",
          "[store][task_definitions]") {
    Fixture f;
    const auto early = f.add("web");
    const auto at_cutoff = f.add("web");
    const auto late = f.add("web");
    const auto inactive = f.add("web");
    const auto active = f.add("web");
    const auto elsewhere = f.add(k_other_account, "api");
    f.defs.mark_delete_in_progress(early.arn, 100);
    f.defs.mark_delete_in_progress(at_cutoff.arn, 200);
    f.defs.mark_delete_in_progress(late.arn, 300);
    f.defs.mark_delete_in_progress(elsewhere.arn, 150);
    f.defs.deregister(inactive.arn, 50);

    auto purged = f.defs.purge_deleted(200);
    std::sort(purged.begin(), purged.end());
    auto expected = Names{early.arn, elsewhere.arn};
    std::sort(expected.begin(), expected.end());
    CHECK(purged == expected);
    CHECK_FALSE(f.defs.find(k_scope, "web", early.revision));
    CHECK_FALSE(f.defs.find(k_other_account, "api", 1));
    CHECK(f.defs.find(k_scope, "web", at_cutoff.revision));
    CHECK(f.defs.find(k_scope, "web", late.revision));
    CHECK(f.defs.find(k_scope, "web", inactive.revision)->status == "INACTIVE");
    CHECK(f.defs.find(k_scope, "web", active.revision)->status == "ACTIVE");
    CHECK(f.defs.purge_deleted(200).empty());
}

TEST_CASE("listing task definitions filters by status", "[store][task_definitions]") {
    Fixture f;
    f.add("a");
    const auto a2 = f.add("a");
    const auto b1 = f.add("b");
    f.add("b");
    f.defs.deregister(a2.arn, 200);
    f.defs.deregister(b1.arn, 200);
    f.defs.mark_delete_in_progress(b1.arn, 300);
    CHECK(keys(f.defs.list(k_scope, query())) == Names{"a:1", "b:2"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "INACTIVE"))) == Names{"a:2"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "DELETE_IN_PROGRESS"))) == Names{"b:1"});
}

TEST_CASE("listing task definitions orders by family then numeric revision", "[store][task_definitions]") {
    Fixture f;
    for (int i = 0; i < 10; ++i) f.add("web");
    f.add("api");
    f.add("Zed");
    CHECK(keys(f.defs.list(k_scope, query())) ==
          Names{"Zed:1", "api:1", "web:1", "web:2", "web:3", "web:4", "web:5", "web:6", "web:7", "web:8", "web:9",
                "web:10"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", true))) ==
          Names{"web:10", "web:9", "web:8", "web:7", "web:6", "web:5", "web:4", "web:3", "web:2", "web:1", "api:1",
                "Zed:1"});
}

TEST_CASE("listing task definitions of one family matches the family exactly", "[store][task_definitions]") {
    Fixture f;
    f.add("web");
    f.add("web");
    f.add("web-2");
    f.add("Web");
    f.add("we");
    CHECK(keys(f.defs.list(k_scope, query(std::string("web")))) == Names{"web:1", "web:2"});
    CHECK(keys(f.defs.list(k_scope, query(std::string("web"), "ACTIVE", true))) == Names{"web:2", "web:1"});
    CHECK(f.defs.list(k_scope, query(std::string("nope"))).empty());
}

TEST_CASE("listing task definitions pages forward by (family, revision) keyset", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"a", "a", "a", "b", "c", "c"}) f.add(family);
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", false, std::nullopt, 2))) == Names{"a:1", "a:2"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", false, TaskDefinitionKey{"a", 2}, 2))) ==
          Names{"a:3", "b:1"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", false, TaskDefinitionKey{"b", 1}, 2))) ==
          Names{"c:1", "c:2"});
    CHECK(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", false, TaskDefinitionKey{"c", 2}, 2)).empty());
    // A position that is not an existing row still resumes in order.
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", false, TaskDefinitionKey{"a", 99}, 100))) ==
          Names{"b:1", "c:1", "c:2"});
}

TEST_CASE("listing task definitions pages backward when descending", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"a", "a", "a", "b", "c", "c"}) f.add(family);
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", true, std::nullopt, 2))) == Names{"c:2", "c:1"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", true, TaskDefinitionKey{"c", 1}, 2))) ==
          Names{"b:1", "a:3"});
    CHECK(keys(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", true, TaskDefinitionKey{"a", 3}, 2))) ==
          Names{"a:2", "a:1"});
    CHECK(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", true, TaskDefinitionKey{"a", 1}, 2)).empty());
}

TEST_CASE("paging within one family walks every revision exactly once", "[store][task_definitions]") {
    Fixture f;
    for (int i = 0; i < 7; ++i) f.add("web");
    f.add("other");
    for (const bool descending : {false, true}) {
        INFO("descending " << descending);
        Names seen;
        std::optional<TaskDefinitionKey> after;
        for (;;) {
            const auto page = f.defs.list(k_scope, query(std::string("web"), "ACTIVE", descending, after, 3));
            for (const auto& key : keys(page)) seen.push_back(key);
            if (page.size() < 3) break;
            after = TaskDefinitionKey{page.back().family, page.back().revision};
        }
        Names expected;
        for (int i = 1; i <= 7; ++i) expected.push_back("web:" + std::to_string(descending ? 8 - i : i));
        CHECK(seen == expected);
    }
}

TEST_CASE("a limit of zero lists nothing", "[store][task_definitions]") {
    Fixture f;
    f.add("web");
    CHECK(f.defs.list(k_scope, query(std::nullopt, "ACTIVE", false, std::nullopt, 0)).empty());
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::nullopt, 0).empty());
}

TEST_CASE("families are listed once each, by name", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"worker", "web", "web", "api", "Web", "web"}) f.add(family);
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::nullopt, 100) ==
          Names{"Web", "api", "web", "worker"});
}

TEST_CASE("the family prefix is matched case-sensitively", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"web", "web-api", "Web", "WebApp", "webhook", "api-web", "we"}) f.add(family);
    CHECK(f.defs.list_families(k_scope, "web", FamilyFilter::all, std::nullopt, 100) ==
          Names{"web", "web-api", "webhook"});
    CHECK(f.defs.list_families(k_scope, "Web", FamilyFilter::all, std::nullopt, 100) == Names{"Web", "WebApp"});
    CHECK(f.defs.list_families(k_scope, "WEB", FamilyFilter::all, std::nullopt, 100).empty());
    CHECK(f.defs.list_families(k_scope, "web-api", FamilyFilter::all, std::nullopt, 100) == Names{"web-api"});
    CHECK(f.defs.list_families(k_scope, "web-api-longer", FamilyFilter::all, std::nullopt, 100).empty());
}

TEST_CASE("family prefixes containing LIKE wildcards match literally", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"a_b", "axb", "a%c", "abc"}) f.add(family);
    CHECK(f.defs.list_families(k_scope, "a_", FamilyFilter::all, std::nullopt, 100) == Names{"a_b"});
    CHECK(f.defs.list_families(k_scope, "a%", FamilyFilter::all, std::nullopt, 100) == Names{"a%c"});
}

TEST_CASE("a family is active while any revision is, and inactive once none is", "[store][task_definitions]") {
    Fixture f;
    f.add("both");
    const auto both2 = f.add("both");
    const auto gone1 = f.add("gone");
    const auto gone2 = f.add("gone");
    const auto deleting = f.add("deleting");
    f.add("live");
    f.defs.deregister(both2.arn, 200);
    f.defs.deregister(gone1.arn, 200);
    f.defs.deregister(gone2.arn, 200);
    f.defs.mark_delete_in_progress(deleting.arn, 300);
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::active, std::nullopt, 100) == Names{"both", "live"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::inactive, std::nullopt, 100) == Names{"deleting", "gone"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::nullopt, 100) ==
          Names{"both", "deleting", "gone", "live"});
}

TEST_CASE("a family whose revisions were all purged is no longer listed", "[store][task_definitions]") {
    Fixture f;
    const auto one = f.add("web");
    f.add("api");
    f.defs.mark_delete_in_progress(one.arn, 100);
    f.defs.purge_deleted(200);
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::nullopt, 100) == Names{"api"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::inactive, std::nullopt, 100).empty());
}

TEST_CASE("families page strictly after the last name seen", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"a", "b", "b", "c", "d", "e"}) f.add(family);
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::nullopt, 2) == Names{"a", "b"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::string("b"), 2) == Names{"c", "d"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::string("d"), 2) == Names{"e"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::all, std::string("e"), 2).empty());
}

TEST_CASE("family paging applies the filter before the limit", "[store][task_definitions]") {
    Fixture f;
    for (const char* family : {"a", "b", "c", "d"}) f.add(family);
    f.defs.deregister(arn_of(k_scope, "a", 1), 200);
    f.defs.deregister(arn_of(k_scope, "c", 1), 200);
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::active, std::nullopt, 1) == Names{"b"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::active, std::string("b"), 1) == Names{"d"});
    CHECK(f.defs.list_families(k_scope, "", FamilyFilter::inactive, std::string("a"), 1) == Names{"c"});
}

#include "store/account_settings_store.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/schema.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::AccountSettingRecord;
using ecsbox::store::AccountSettingsStore;
using ecsbox::store::Database;
using ecsbox::store::Scope;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;

namespace {

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    AccountSettingsStore settings{migrated(db)};
};

const Scope k_scope{"000000000000", "us-east-1"};
const std::string k_root = "arn:aws:iam::000000000000:root";
const std::string k_user = "arn:aws:iam::000000000000:user/alice";

std::vector<std::string> names(const std::vector<AccountSettingRecord>& rows) {
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row.name);
    return out;
}

}  // namespace

TEST_CASE("a put account setting is found with its principal, name and value", "[store][account_settings]") {
    Fixture f;
    f.settings.put(k_scope, {k_root, "containerInsights", "enabled"});
    const auto found = f.settings.find(k_scope, k_root, "containerInsights");
    REQUIRE(found);
    CHECK(found->principal_arn == k_root);
    CHECK(found->name == "containerInsights");
    CHECK(found->value == "enabled");
}

TEST_CASE("finding an account setting that was never put returns nothing", "[store][account_settings]") {
    Fixture f;
    CHECK_FALSE(f.settings.find(k_scope, k_root, "containerInsights"));
}

TEST_CASE("putting an account setting again overwrites its value", "[store][account_settings]") {
    Fixture f;
    f.settings.put(k_scope, {k_root, "containerInsights", "enabled"});
    f.settings.put(k_scope, {k_root, "containerInsights", "disabled"});
    CHECK(f.settings.find(k_scope, k_root, "containerInsights")->value == "disabled");
    CHECK(f.settings.list(k_scope, k_root).size() == 1);
}

TEST_CASE("removing an account setting reports whether one was there", "[store][account_settings]") {
    Fixture f;
    f.settings.put(k_scope, {k_root, "containerInsights", "enabled"});
    f.settings.put(k_scope, {k_root, "awsvpcTrunking", "enabled"});
    CHECK(f.settings.remove(k_scope, k_root, "containerInsights"));
    CHECK_FALSE(f.settings.find(k_scope, k_root, "containerInsights"));
    CHECK(f.settings.find(k_scope, k_root, "awsvpcTrunking"));
    CHECK_FALSE(f.settings.remove(k_scope, k_root, "containerInsights"));
    CHECK_FALSE(f.settings.remove(k_scope, k_user, "awsvpcTrunking"));
}

TEST_CASE("a principal's account settings are listed by name", "[store][account_settings]") {
    Fixture f;
    for (const char* name : {"taskLongArnFormat", "awsvpcTrunking", "containerInsights", "serviceLongArnFormat"})
        f.settings.put(k_scope, {k_root, name, "enabled"});
    f.settings.put(k_scope, {k_user, "fargateFIPSMode", "enabled"});
    CHECK(names(f.settings.list(k_scope, k_root)) ==
          std::vector<std::string>{"awsvpcTrunking", "containerInsights", "serviceLongArnFormat", "taskLongArnFormat"});
    CHECK(names(f.settings.list(k_scope, k_user)) == std::vector<std::string>{"fargateFIPSMode"});
    CHECK(f.settings.list(k_scope, "arn:aws:iam::000000000000:user/nobody").empty());
}

TEST_CASE("account settings are scoped by account, region and principal", "[store][account_settings]") {
    Fixture f;
    const Scope other_region{"000000000000", "eu-west-1"};
    const Scope other_account{"111111111111", "us-east-1"};
    f.settings.put(k_scope, {k_root, "containerInsights", "enabled"});
    f.settings.put(other_region, {k_root, "containerInsights", "disabled"});
    CHECK(f.settings.find(k_scope, k_root, "containerInsights")->value == "enabled");
    CHECK(f.settings.find(other_region, k_root, "containerInsights")->value == "disabled");
    CHECK_FALSE(f.settings.find(other_account, k_root, "containerInsights"));
    CHECK_FALSE(f.settings.find(k_scope, k_user, "containerInsights"));
    CHECK(f.settings.list(other_account, k_root).empty());
    CHECK_FALSE(f.settings.remove(other_account, k_root, "containerInsights"));
    CHECK(f.settings.remove(other_region, k_root, "containerInsights"));
    CHECK(f.settings.find(k_scope, k_root, "containerInsights"));
}

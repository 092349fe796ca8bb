#include <catch2/catch.hpp>

#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_root = "arn:aws:iam::123456789012:root";
const std::string k_role = "arn:aws:iam::123456789012:role/deployer";
}  // namespace

TEST_CASE("a principal's own setting overrides the account default, which overrides ECS's", "[ecs][account-settings]") {
    ServiceHarness ecs{"ecs"};
    const auto effective = [&](const std::string& principal) {
        return ecs.ok("ListAccountSettings", {{"name", "containerInsights"}, {"principalArn", principal}, {"effectiveSettings", true}})
            ["settings"][0]["value"];
    };
    CHECK(effective(k_role) == "disabled");
    const auto put_default = ecs.ok("PutAccountSettingDefault", {{"name", "containerInsights"}, {"value", "enabled"}});
    CHECK(put_default["setting"] ==
          json{{"name", "containerInsights"}, {"value", "enabled"}, {"principalArn", k_root}, {"type", "user"}});
    CHECK(effective(k_role) == "enabled");
    ecs.ok("PutAccountSetting", {{"name", "containerInsights"}, {"value", "enhanced"}, {"principalArn", k_role}});
    CHECK(effective(k_role) == "enhanced");
    CHECK(effective(k_root) == "enabled");

    const auto deleted = ecs.ok("DeleteAccountSetting", {{"name", "containerInsights"}, {"principalArn", k_role}});
    CHECK(deleted["setting"]["value"] == "enhanced");
    CHECK(effective(k_role) == "enabled");
    CHECK(ecs.call("DeleteAccountSetting", {{"name", "containerInsights"}, {"principalArn", k_role}}).error_code() ==
          "InvalidParameterException");
}

TEST_CASE("PutAccountSetting without a principal sets the caller's, the root user's", "[ecs][account-settings]") {
    ServiceHarness ecs{"ecs"};
    CHECK(ecs.ok("PutAccountSetting", {{"name", "awsvpcTrunking"}, {"value", "enabled"}})["setting"]["principalArn"] == k_root);
    CHECK(ecs.ok("ListAccountSettings")["settings"] ==
          json::array({{{"name", "awsvpcTrunking"}, {"value", "enabled"}, {"principalArn", k_root}, {"type", "user"}}}));
}

TEST_CASE("effective settings list every setting, filtered and paged", "[ecs][account-settings]") {
    ServiceHarness ecs{"ecs"};
    json input = {{"effectiveSettings", true}, {"maxResults", 4}};
    std::vector<std::string> names;
    while (true) {
        const auto page = ecs.ok("ListAccountSettings", input);
        CHECK(page["settings"].size() <= 4);
        for (const auto& s : page["settings"]) names.push_back(s["name"]);
        if (!page.contains("nextToken")) break;
        input["nextToken"] = page["nextToken"];
    }
    CHECK(names.size() == 11);
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());

    const auto enabled = ecs.ok("ListAccountSettings", {{"effectiveSettings", true}, {"value", "enabled"}})["settings"];
    CHECK(enabled.size() == 3);  // the three long-ARN formats
    CHECK(ecs.call("ListAccountSettings", {{"maxResults", 11}}).error_code() == "InvalidParameterException");
}

TEST_CASE("values a setting does not take and malformed principals are refused", "[ecs][account-settings]") {
    ServiceHarness ecs{"ecs"};
    CHECK(ecs.call("PutAccountSetting", {{"name", "containerInsights"}, {"value", "maybe"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecs.call("PutAccountSettingDefault", {{"name", "fargateTaskRetirementWaitPeriod"}, {"value", "3"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecs.ok("PutAccountSettingDefault", {{"name", "fargateTaskRetirementWaitPeriod"}, {"value", "14"}})["setting"]["value"] == "14");
    CHECK(ecs.call("PutAccountSetting", {{"name", "containerInsights"}, {"value", "enabled"}, {"principalArn", "bob"}})
              .error_code() == "InvalidParameterException");
    CHECK(ecs.call("PutAccountSetting", {{"name", "notASetting"}, {"value", "enabled"}}).error_code() ==
          "InvalidParameterException");
}

TEST_CASE("account settings are per region", "[ecs][account-settings]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("PutAccountSettingDefault", {{"name", "guardDutyActivate"}, {"value", "on"}});
    CHECK(ecs.call("ListAccountSettings", json::object(), "eu-west-1").body["settings"].empty());
}

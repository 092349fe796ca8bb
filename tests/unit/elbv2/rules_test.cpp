#include <catch2/catch.hpp>

#include "elbv2_fixture.hpp"

using ecsbox::testing::Elbv2Fixture;
using nlohmann::json;

namespace {

json path_rule(const std::string& listener, int priority, const std::string& path) {
    return {{"ListenerArn", listener},
            {"Priority", priority},
            {"Conditions", {{{"Field", "path-pattern"}, {"Values", {path}}}}},
            {"Actions", {{{"Type", "fixed-response"}, {"FixedResponseConfig", {{"StatusCode", "204"}}}}}}};
}

}  // namespace

TEST_CASE("DescribeRules lists a listener's rules by priority with its default rule last", "[elbv2][rules]") {
    Elbv2Fixture f;
    const auto listener = f.listener(f.load_balancer(), f.target_group());
    const auto late = f.elb.ok("CreateRule", path_rule(listener, 20, "/late/*"))["Rules"][0];
    CHECK(late["Priority"] == "20");
    CHECK(late["IsDefault"] == false);
    CHECK(late["Conditions"][0] == json{{"Field", "path-pattern"},
                                        {"Values", {"/late/*"}},
                                        {"PathPatternConfig", {{"Values", {"/late/*"}}}}});
    f.elb.ok("CreateRule", path_rule(listener, 5, "/early/*"));
    const auto rules = f.elb.ok("DescribeRules", {{"ListenerArn", listener}})["Rules"];
    REQUIRE(rules.size() == 3);
    CHECK(rules[0]["Priority"] == "5");
    CHECK(rules[1]["Priority"] == "20");
    CHECK(rules[2]["Priority"] == "default");
    CHECK(rules[2]["IsDefault"] == true);
    CHECK(rules[2]["Conditions"] == json::array());

    const auto paged = f.elb.ok("DescribeRules", {{"ListenerArn", listener}, {"PageSize", 2}});
    CHECK(paged["Rules"].size() == 2);
    const auto rest = f.elb.ok("DescribeRules", {{"ListenerArn", listener}, {"Marker", paged["NextMarker"]}});
    REQUIRE(rest["Rules"].size() == 1);
    CHECK(rest["Rules"][0]["Priority"] == "default");
}

TEST_CASE("rule priorities are unique per listener and can be swapped at once", "[elbv2][rules]") {
    Elbv2Fixture f;
    const auto listener = f.listener(f.load_balancer(), f.target_group());
    const auto a = f.elb.ok("CreateRule", path_rule(listener, 1, "/a"))["Rules"][0]["RuleArn"];
    const auto b = f.elb.ok("CreateRule", path_rule(listener, 2, "/b"))["Rules"][0]["RuleArn"];
    const auto taken = f.elb.call("CreateRule", path_rule(listener, 2, "/c"));
    CHECK(taken.error_code() == "PriorityInUse");
    CHECK(taken.message() == "Priority '2' is currently in use");
    CHECK(f.elb.call("SetRulePriorities", {{"RulePriorities", {{{"RuleArn", a}}}}}).error_code() == "ValidationError");
    f.elb.ok("SetRulePriorities", {{"RulePriorities", {{{"RuleArn", a}, {"Priority", 2}}, {{"RuleArn", b}, {"Priority", 1}}}}});
    const auto rules = f.elb.ok("DescribeRules", {{"ListenerArn", listener}})["Rules"];
    CHECK(rules[0]["RuleArn"] == b);
    CHECK(rules[1]["RuleArn"] == a);
}

TEST_CASE("a listener's default rule keeps no conditions and cannot go", "[elbv2][rules]") {
    Elbv2Fixture f;
    const auto listener = f.listener(f.load_balancer(), f.target_group());
    const auto default_rule = f.elb.ok("DescribeRules", {{"ListenerArn", listener}})["Rules"][0]["RuleArn"];
    CHECK(f.elb.call("DeleteRule", {{"RuleArn", default_rule}}).error_code() == "OperationNotPermitted");
    CHECK(f.elb.call("ModifyRule", {{"RuleArn", default_rule},
                                    {"Conditions", {{{"Field", "path-pattern"}, {"Values", {"/x"}}}}}})
              .error_code() == "OperationNotPermitted");
    const auto modified = f.elb.ok("ModifyRule", {{"RuleArn", default_rule},
                                                  {"Actions", {{{"Type", "fixed-response"},
                                                                {"FixedResponseConfig", {{"StatusCode", "503"}}}}}}});
    CHECK(modified["Rules"][0]["Actions"][0]["Type"] == "fixed-response");
    const auto listeners = f.elb.ok("DescribeListeners", {{"ListenerArns", {listener}}})["Listeners"];
    CHECK(listeners[0]["DefaultActions"][0]["FixedResponseConfig"]["StatusCode"] == "503");
}

TEST_CASE("rule conditions are checked as ELB checks them", "[elbv2][rules]") {
    Elbv2Fixture f;
    const auto listener = f.listener(f.load_balancer(), f.target_group());
    auto with = [&](const json& conditions) {
        auto rule = path_rule(listener, 1, "/");
        rule["Conditions"] = conditions;
        return f.elb.call("CreateRule", rule);
    };
    CHECK(with(json::array()).error_code() == "ValidationError");
    CHECK(with({{{"Field", "cookie"}, {"Values", {"x"}}}}).error_code() == "ValidationError");
    CHECK(with({{{"Field", "http-header"}, {"Values", {"x"}}}}).error_code() == "ValidationError");
    CHECK(with({{{"Field", "path-pattern"}, {"Values", {"/a", "/b", "/c"}}},
                {{"Field", "host-header"}, {"Values", {"a", "b", "c"}}}})
              .error_code() == "ValidationError");  // six values
    const auto header = with({{{"Field", "http-header"},
                               {"HttpHeaderConfig", {{"HttpHeaderName", "X-Canary"}, {"Values", {"1"}}}}},
                              {{"Field", "query-string"}, {"QueryStringConfig", {{"Values", {{{"Key", "v"}, {"Value", "2"}}}}}}}});
    REQUIRE(header.status == 200);
    CHECK(header.body["Rules"][0]["Conditions"][0]["HttpHeaderConfig"]["HttpHeaderName"] == "X-Canary");
    CHECK_FALSE(header.body["Rules"][0]["Conditions"][0].contains("Values"));
}

TEST_CASE("rules live on application load balancers' listeners only", "[elbv2][rules]") {
    Elbv2Fixture f;
    const auto listener = f.listener(f.load_balancer("nlb", "network"), f.target_group("tcp", "TCP"), 5432, "TCP");
    CHECK(f.elb.call("CreateRule", path_rule(listener, 1, "/")).error_code() == "ValidationError");
}

#include <catch2/catch.hpp>

#include "elbv2_fixture.hpp"

using ecsbox::testing::Elbv2Fixture;
using nlohmann::json;

namespace {

json health_of(Elbv2Fixture& f, const std::string& group, const json& input = json::object()) {
    auto request = input;
    request["TargetGroupArn"] = group;
    return f.elb.ok("DescribeTargetHealth", request)["TargetHealthDescriptions"];
}

}  // namespace

TEST_CASE("targets of a group nothing forwards to are unused", "[elbv2][targets]") {
    Elbv2Fixture f;
    const auto group = f.target_group();
    f.elb.ok("RegisterTargets", {{"TargetGroupArn", group}, {"Targets", {{{"Id", "10.0.0.1"}}, {{"Id", "10.0.0.2"}, {"Port", 8080}}}}});
    const auto health = health_of(f, group);
    REQUIRE(health.size() == 2);
    CHECK(health[0]["Target"] == json{{"Id", "10.0.0.1"}, {"Port", 80}});
    CHECK(health[0]["HealthCheckPort"] == "80");
    CHECK(health[1]["Target"]["Port"] == 8080);
    CHECK(health[0]["TargetHealth"] == json{{"State", "unused"},
                                            {"Reason", "Target.NotInUse"},
                                            {"Description", "Target group is not configured to receive traffic from "
                                                            "the load balancer"}});
}

TEST_CASE("registered targets start initial once a listener uses their group, and drain when deregistered",
          "[elbv2][targets]") {
    Elbv2Fixture f;
    const auto group = f.target_group();
    f.listener(f.load_balancer(), group);
    f.elb.ok("RegisterTargets", {{"TargetGroupArn", group}, {"Targets", {{{"Id", "10.0.0.1"}}}}});
    CHECK(health_of(f, group)[0]["TargetHealth"] == json{{"State", "initial"},
                                                         {"Reason", "Elb.RegistrationInProgress"},
                                                         {"Description", "Target registration is in progress"}});
    f.elb.ok("DeregisterTargets", {{"TargetGroupArn", group}, {"Targets", {{{"Id", "10.0.0.1"}}}}});
    CHECK(health_of(f, group)[0]["TargetHealth"]["State"] == "draining");
    CHECK(health_of(f, group)[0]["TargetHealth"]["Reason"] == "Target.DeregistrationInProgress");
    // Registered again while it drains, it starts over.
    f.elb.ok("RegisterTargets", {{"TargetGroupArn", group}, {"Targets", {{{"Id", "10.0.0.1"}}}}});
    CHECK(health_of(f, group)[0]["TargetHealth"]["State"] == "initial");
}

TEST_CASE("DescribeTargetHealth of a target not registered says so", "[elbv2][targets]") {
    Elbv2Fixture f;
    const auto group = f.target_group();
    const auto health = health_of(f, group, {{"Targets", {{{"Id", "10.9.9.9"}, {"Port", 81}}}}});
    REQUIRE(health.size() == 1);
    CHECK(health[0]["TargetHealth"]["State"] == "unused");
    CHECK(health[0]["TargetHealth"]["Reason"] == "Target.NotRegistered");
}

TEST_CASE("RegisterTargets checks target ids by the group's target type", "[elbv2][targets]") {
    Elbv2Fixture f;
    const auto ips = f.target_group("ips");
    CHECK(f.elb.call("RegisterTargets", {{"TargetGroupArn", ips}, {"Targets", {{{"Id", "i-12345678"}}}}}).error_code() ==
          "InvalidTarget");
    CHECK(f.elb.call("RegisterTargets", {{"TargetGroupArn", ips}, {"Targets", {{{"Id", "10.0.0.1"}, {"Port", 0}}}}})
              .error_code() == "ValidationError");
    const auto instances = f.target_group("instances", "HTTP", "instance");
    const auto unknown = f.elb.call("RegisterTargets", {{"TargetGroupArn", instances}, {"Targets", {{{"Id", "i-0123456789abcdef0"}}}}});
    CHECK(unknown.error_code() == "InvalidTarget");
    CHECK(unknown.message().find("i-0123456789abcdef0") != std::string::npos);
    // Deregistering a target that is not registered succeeds, as ELB's does.
    CHECK(f.elb.call("DeregisterTargets", {{"TargetGroupArn", ips}, {"Targets", {{{"Id", "10.0.0.7"}}}}}).status == 200);
}

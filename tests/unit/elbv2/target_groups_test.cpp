#include <catch2/catch.hpp>

#include "elbv2_fixture.hpp"

using ecsbox::testing::Elbv2Fixture;
using nlohmann::json;

TEST_CASE("CreateTargetGroup fills in ELB's health check defaults by protocol", "[elbv2][target_groups]") {
    Elbv2Fixture f;
    const auto http = f.elb.ok("CreateTargetGroup", {{"Name", "web"}, {"Protocol", "HTTP"}, {"Port", 8080}})
                          ["TargetGroups"][0];
    CHECK(http["TargetGroupArn"].get<std::string>().rfind(
              "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/", 0) == 0);
    CHECK(http["TargetType"] == "instance");
    CHECK(http["HealthCheckProtocol"] == "HTTP");
    CHECK(http["HealthCheckPort"] == "traffic-port");
    CHECK(http["HealthCheckPath"] == "/");
    CHECK(http["Matcher"] == json{{"HttpCode", "200"}});
    CHECK(http["HealthCheckIntervalSeconds"] == 30);
    CHECK(http["HealthCheckTimeoutSeconds"] == 5);
    CHECK(http["HealthyThresholdCount"] == 5);
    CHECK(http["UnhealthyThresholdCount"] == 2);
    CHECK(http["ProtocolVersion"] == "HTTP1");
    CHECK(http["LoadBalancerArns"] == json::array());

    const auto tcp = f.elb.ok("CreateTargetGroup", {{"Name", "db"}, {"Protocol", "TCP"}, {"Port", 5432}})["TargetGroups"][0];
    CHECK(tcp["HealthCheckProtocol"] == "TCP");
    CHECK(tcp["HealthCheckTimeoutSeconds"] == 10);
    CHECK_FALSE(tcp.contains("HealthCheckPath"));
    CHECK_FALSE(tcp.contains("Matcher"));
}

TEST_CASE("CreateTargetGroup refuses what ecsbox's balancer cannot do, saying why", "[elbv2][target_groups]") {
    Elbv2Fixture f;
    const auto https = f.elb.call("CreateTargetGroup", {{"Name", "s"}, {"Protocol", "HTTPS"}, {"Port", 443}});
    CHECK(https.error_code() == "UnsupportedProtocol");
    CHECK(https.message().find("ACM") != std::string::npos);
    CHECK(f.elb.call("CreateTargetGroup", {{"Name", "l"}, {"TargetType", "lambda"}}).error_code() == "ValidationError");
    CHECK(f.elb.call("CreateTargetGroup", {{"Name", "t"}, {"Protocol", "HTTP"}, {"Port", 80},
                                           {"HealthCheckIntervalSeconds", 5}, {"HealthCheckTimeoutSeconds", 5}})
              .error_code() == "ValidationError");
    CHECK(f.elb.call("CreateTargetGroup", {{"Name", "m"}, {"Protocol", "HTTP"}, {"Port", 80},
                                           {"Matcher", {{"HttpCode", "2xx"}}}})
              .error_code() == "ValidationError");
    CHECK(f.elb.call("CreateTargetGroup", {{"Name", "p"}, {"Protocol", "TCP"}, {"Port", 80}, {"HealthCheckPath", "/"}})
              .error_code() == "ValidationError");
    f.target_group("dup");
    CHECK(f.elb.call("CreateTargetGroup", {{"Name", "dup"}, {"Protocol", "HTTP"}, {"Port", 81}, {"TargetType", "ip"}})
              .error_code() == "DuplicateTargetGroupName");
}

TEST_CASE("ModifyTargetGroup changes the health check and keeps the rest", "[elbv2][target_groups]") {
    Elbv2Fixture f;
    const auto arn = f.target_group();
    const auto changed = f.elb.ok("ModifyTargetGroup", {{"TargetGroupArn", arn},
                                                        {"HealthCheckPath", "/health"},
                                                        {"HealthCheckIntervalSeconds", 10},
                                                        {"Matcher", {{"HttpCode", "200-299"}}}})["TargetGroups"][0];
    CHECK(changed["HealthCheckPath"] == "/health");
    CHECK(changed["HealthCheckIntervalSeconds"] == 10);
    CHECK(changed["Matcher"]["HttpCode"] == "200-299");
    CHECK(changed["Port"] == 80);
    const auto described = f.elb.ok("DescribeTargetGroups", {{"TargetGroupArns", {arn}}})["TargetGroups"][0];
    CHECK(described["HealthCheckPath"] == "/health");
}

TEST_CASE("DescribeTargetGroups filters by load balancer and names the load balancers using each",
          "[elbv2][target_groups]") {
    Elbv2Fixture f;
    const auto lb = f.load_balancer();
    const auto used = f.target_group("used");
    f.target_group("idle");
    f.listener(lb, used);
    const auto all = f.elb.ok("DescribeTargetGroups")["TargetGroups"];
    REQUIRE(all.size() == 2);
    CHECK(all[0]["TargetGroupName"] == "idle");
    CHECK(all[1]["LoadBalancerArns"] == json{lb});
    const auto of_lb = f.elb.ok("DescribeTargetGroups", {{"LoadBalancerArn", lb}})["TargetGroups"];
    REQUIRE(of_lb.size() == 1);
    CHECK(of_lb[0]["TargetGroupArn"] == used);
    CHECK(f.elb.call("DescribeTargetGroups", {{"Names", {"nope"}}}).error_code() == "TargetGroupNotFound");
}

TEST_CASE("a target group in use cannot be deleted; one gone deletes quietly", "[elbv2][target_groups]") {
    Elbv2Fixture f;
    const auto lb = f.load_balancer();
    const auto group = f.target_group();
    const auto listener = f.listener(lb, group);
    CHECK(f.elb.call("DeleteTargetGroup", {{"TargetGroupArn", group}}).error_code() == "ResourceInUse");
    f.elb.ok("DeleteListener", {{"ListenerArn", listener}});
    f.elb.ok("DeleteTargetGroup", {{"TargetGroupArn", group}});
    f.elb.ok("DeleteTargetGroup", {{"TargetGroupArn", group}});
    CHECK(f.elb.ok("DescribeTargetGroups")["TargetGroups"].empty());
}

TEST_CASE("target group attributes cover the algorithm and the drain; stickiness is refused, not ignored", "[elbv2][target_groups]") {
    Elbv2Fixture f;
    const auto arn = f.target_group();
    auto value_of = [&](const std::string& key) {
        const auto attributes = f.elb.ok("DescribeTargetGroupAttributes", {{"TargetGroupArn", arn}})["Attributes"];
        for (const auto& a : attributes)
            if (a["Key"] == key) return a["Value"].get<std::string>();
        return std::string("absent");
    };
    CHECK(value_of("deregistration_delay.timeout_seconds") == "300");
    CHECK(value_of("load_balancing.algorithm.type") == "round_robin");
    CHECK(value_of("stickiness.type") == "lb_cookie");
    f.elb.ok("ModifyTargetGroupAttributes",
             {{"TargetGroupArn", arn},
              {"Attributes", {{{"Key", "deregistration_delay.timeout_seconds"}, {"Value", "5"}},
                              {{"Key", "load_balancing.algorithm.type"}, {"Value", "least_outstanding_requests"}}}}});
    CHECK(value_of("deregistration_delay.timeout_seconds") == "5");
    CHECK(value_of("load_balancing.algorithm.type") == "least_outstanding_requests");
    CHECK(f.elb.call("ModifyTargetGroupAttributes",
                     {{"TargetGroupArn", arn}, {"Attributes", {{{"Key", "deregistration_delay.timeout_seconds"}, {"Value", "4000"}}}}})
              .error_code() == "ValidationError");
    CHECK(f.elb.call("ModifyTargetGroupAttributes",
                     {{"TargetGroupArn", arn},
                      {"Attributes", {{{"Key", "stickiness.enabled"}, {"Value", "true"}}}}})
              .error_code() == "InvalidConfigurationRequest");
}

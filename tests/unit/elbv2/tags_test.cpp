#include <catch2/catch.hpp>

#include "elbv2_fixture.hpp"

using ecsbox::testing::Elbv2Fixture;
using nlohmann::json;

TEST_CASE("tags are added, listed in order, overwritten and removed for every kind of resource", "[elbv2][tags]") {
    Elbv2Fixture f;
    const auto lb = f.elb.ok("CreateLoadBalancer", {{"Name", "web"}, {"Tags", {{{"Key", "team"}, {"Value", "a"}}}}})
                        ["LoadBalancers"][0]["LoadBalancerArn"]
                            .get<std::string>();
    const auto group = f.target_group();
    const auto listener = f.listener(lb, group);
    f.elb.ok("AddTags", {{"ResourceArns", {lb, group, listener}},
                         {"Tags", {{{"Key", "env"}, {"Value", "dev"}}, {{"Key", "team"}, {"Value", "b"}}}}});
    const auto described = f.elb.ok("DescribeTags", {{"ResourceArns", {lb, group}}})["TagDescriptions"];
    REQUIRE(described.size() == 2);
    CHECK(described[0] == json{{"ResourceArn", lb},
                               {"Tags", {{{"Key", "team"}, {"Value", "b"}}, {{"Key", "env"}, {"Value", "dev"}}}}});
    CHECK(described[1]["Tags"].size() == 2);
    f.elb.ok("RemoveTags", {{"ResourceArns", {lb}}, {"TagKeys", {"team"}}});
    CHECK(f.elb.ok("DescribeTags", {{"ResourceArns", {lb}}})["TagDescriptions"][0]["Tags"] ==
          json{{{"Key", "env"}, {"Value", "dev"}}});
}

TEST_CASE("tags of a missing resource answer its kind's not-found error", "[elbv2][tags]") {
    Elbv2Fixture f;
    const std::string prefix = "arn:aws:elasticloadbalancing:us-east-1:123456789012:";
    CHECK(f.elb.call("DescribeTags", {{"ResourceArns", {prefix + "loadbalancer/app/x/1"}}}).error_code() ==
          "LoadBalancerNotFound");
    CHECK(f.elb.call("AddTags", {{"ResourceArns", {prefix + "targetgroup/x/1"}}, {"Tags", {{{"Key", "k"}}}}}).error_code() ==
          "TargetGroupNotFound");
    CHECK(f.elb.call("DescribeTags", {{"ResourceArns", {"arn:aws:ecs:us-east-1:1:cluster/x"}}}).error_code() ==
          "ValidationError");
    const auto group = f.target_group();
    CHECK(f.elb.call("AddTags", {{"ResourceArns", {group}}, {"Tags", {{{"Key", "k"}}, {{"Key", "k"}}}}}).error_code() ==
          "DuplicateTagKeys");
    json many = json::array();
    for (int i = 0; i < 51; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
    CHECK(f.elb.call("AddTags", {{"ResourceArns", {group}}, {"Tags", many}}).error_code() == "TooManyTags");
}

#include <catch2/catch.hpp>

#include "elbv2_fixture.hpp"

using ecsbox::testing::Elbv2Fixture;
using nlohmann::json;

TEST_CASE("CreateLoadBalancer answers an application load balancer reachable at ecsbox's address",
          "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    const auto lb = f.elb.ok("CreateLoadBalancer", {{"Name", "web"}, {"Subnets", {"subnet-0123456789abcdef0", "subnet-12345678"}},
                                                    {"SecurityGroups", {"sg-12345678"}}})["LoadBalancers"][0];
    CHECK(lb["LoadBalancerArn"].get<std::string>().rfind(
              "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/", 0) == 0);
    CHECK(lb["DNSName"] == "127.0.0.1");
    CHECK(lb["Type"] == "application");
    CHECK(lb["Scheme"] == "internet-facing");
    CHECK(lb["IpAddressType"] == "ipv4");
    CHECK(lb["State"] == json{{"Code", "provisioning"}});
    CHECK(lb["VpcId"].get<std::string>().size() == 21);
    CHECK(lb["SecurityGroups"] == json{"sg-12345678"});
    REQUIRE(lb["AvailabilityZones"].size() == 2);
    CHECK(lb["AvailabilityZones"][0] == json{{"ZoneName", "us-east-1a"}, {"SubnetId", "subnet-0123456789abcdef0"}});
    CHECK(lb["AvailabilityZones"][1]["ZoneName"] == "us-east-1b");
}

TEST_CASE("CreateLoadBalancer checks names, subnets and security groups as ELB does", "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", "-web"}}).error_code() == "ValidationError");
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", "internal-web"}}).error_code() == "ValidationError");
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", "web_1"}}).error_code() == "ValidationError");
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", std::string(33, 'a')}}).error_code() == "ValidationError");
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", "web"}, {"Subnets", {"sub-1"}}}).error_code() == "InvalidSubnet");
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", "web"}, {"SecurityGroups", {"sg-x"}}}).error_code() ==
          "InvalidSecurityGroup");
    const auto gateway = f.elb.call("CreateLoadBalancer", {{"Name", "gw"}, {"Type", "gateway"}});
    CHECK(gateway.error_code() == "InvalidConfigurationRequest");
    CHECK(gateway.message().find("gateway") != std::string::npos);
}

TEST_CASE("creating a load balancer again returns it unless its settings differ", "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    const auto arn = f.load_balancer("web");
    CHECK(f.load_balancer("web") == arn);
    CHECK(f.elb.call("CreateLoadBalancer", {{"Name", "web"}, {"Type", "network"}}).error_code() ==
          "DuplicateLoadBalancerName");
}

TEST_CASE("DescribeLoadBalancers finds by name or ARN, pages by Marker, and names what is missing",
          "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    const auto a = f.load_balancer("a");
    f.load_balancer("b", "network");
    f.load_balancer("c");
    const auto page = f.elb.ok("DescribeLoadBalancers", {{"PageSize", 2}});
    REQUIRE(page["LoadBalancers"].size() == 2);
    CHECK(page["LoadBalancers"][1]["Type"] == "network");
    const auto rest = f.elb.ok("DescribeLoadBalancers", {{"PageSize", 2}, {"Marker", page["NextMarker"]}});
    REQUIRE(rest["LoadBalancers"].size() == 1);
    CHECK(rest["LoadBalancers"][0]["LoadBalancerName"] == "c");
    CHECK_FALSE(rest.contains("NextMarker"));

    CHECK(f.elb.ok("DescribeLoadBalancers", {{"LoadBalancerArns", {a}}})["LoadBalancers"][0]["LoadBalancerName"] == "a");
    const auto missing = f.elb.call("DescribeLoadBalancers", {{"Names", {"a", "zz"}}});
    CHECK(missing.error_code() == "LoadBalancerNotFound");
    CHECK(missing.message() == "Load balancers '[zz]' not found");
    CHECK(f.elb.call("DescribeLoadBalancers", {{"PageSize", 401}}).error_code() == "ValidationError");
}

TEST_CASE("load balancer attributes start at ELB's defaults and refuse unknown keys", "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    const auto arn = f.load_balancer();
    auto attributes = [&] {
        json values;
        const auto list = f.elb.ok("DescribeLoadBalancerAttributes", {{"LoadBalancerArn", arn}})["Attributes"];
        for (const auto& a : list) values[a["Key"].get<std::string>()] = a["Value"];
        return values;
    };
    CHECK(attributes()["idle_timeout.timeout_seconds"] == "60");
    CHECK(attributes()["deletion_protection.enabled"] == "false");
    const auto changed = f.elb.ok("ModifyLoadBalancerAttributes",
                                  {{"LoadBalancerArn", arn},
                                   {"Attributes", {{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "120"}}}}});
    CHECK(changed["Attributes"].size() == attributes().size());  // every attribute, as ELB answers
    CHECK(attributes()["idle_timeout.timeout_seconds"] == "120");
    CHECK(f.elb.call("ModifyLoadBalancerAttributes", {{"LoadBalancerArn", arn},
                                                      {"Attributes", {{{"Key", "no.such"}, {"Value", "1"}}}}})
              .error_code() == "InvalidConfigurationRequest");
    CHECK(f.elb.call("ModifyLoadBalancerAttributes",
                     {{"LoadBalancerArn", arn}, {"Attributes", {{{"Key", "idle_timeout.timeout_seconds"}, {"Value", "0"}}}}})
              .error_code() == "ValidationError");
}

TEST_CASE("DeleteLoadBalancer takes its listeners along, succeeds when it is gone, and honours deletion protection",
          "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    const auto arn = f.load_balancer();
    const auto listener = f.listener(arn, f.target_group());
    f.elb.ok("ModifyLoadBalancerAttributes",
             {{"LoadBalancerArn", arn}, {"Attributes", {{{"Key", "deletion_protection.enabled"}, {"Value", "true"}}}}});
    CHECK(f.elb.call("DeleteLoadBalancer", {{"LoadBalancerArn", arn}}).error_code() == "OperationNotPermitted");
    f.elb.ok("ModifyLoadBalancerAttributes",
             {{"LoadBalancerArn", arn}, {"Attributes", {{{"Key", "deletion_protection.enabled"}, {"Value", "false"}}}}});
    f.elb.ok("DeleteLoadBalancer", {{"LoadBalancerArn", arn}});
    CHECK(f.elb.call("DescribeListeners", {{"ListenerArns", {listener}}}).error_code() == "ListenerNotFound");
    f.elb.ok("DeleteLoadBalancer", {{"LoadBalancerArn", arn}});
}

TEST_CASE("load balancers are per region", "[elbv2][load_balancers]") {
    Elbv2Fixture f;
    const auto arn = f.load_balancer();
    CHECK(f.elb.ok("DescribeLoadBalancers", json::object(), "eu-west-1")["LoadBalancers"].empty());
    CHECK(f.elb.call("DescribeLoadBalancerAttributes", {{"LoadBalancerArn", arn}}, "eu-west-1").error_code() ==
          "LoadBalancerNotFound");
}

TEST_CASE("operations with no local meaning answer OperationNotPermitted naming them", "[elbv2]") {
    Elbv2Fixture f;
    const auto reply = f.elb.call("CreateTrustStore", {{"Name", "t"}, {"CaCertificatesBundleS3Bucket", "b"},
                                                       {"CaCertificatesBundleS3Key", "k"}});
    CHECK(reply.status == 400);
    CHECK(reply.error_code() == "OperationNotPermitted");
    CHECK(reply.message().find("CreateTrustStore") != std::string::npos);
}

TEST_CASE("a malformed ARN is a ValidationError before any lookup", "[elbv2]") {
    Elbv2Fixture f;
    const auto reply = f.elb.call("DescribeLoadBalancers", {{"LoadBalancerArns", {"not-an-arn"}}});
    CHECK(reply.error_code() == "ValidationError");
    CHECK(reply.message() == "'not-an-arn' is not a valid load balancer ARN");
    CHECK(f.elb.call("DeleteTargetGroup", {{"TargetGroupArn", "not-an-arn"}}).error_code() == "ValidationError");
    CHECK(f.elb.call("DescribeTargetHealth", {{"TargetGroupArn", f.load_balancer()}}).error_code() == "ValidationError");
}

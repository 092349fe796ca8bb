#include <catch2/catch.hpp>

#include "elbv2_fixture.hpp"

using ecsbox::testing::Elbv2Fixture;
using nlohmann::json;

TEST_CASE("CreateListener echoes a forward both as a target group and as a ForwardConfig", "[elbv2][listeners]") {
    Elbv2Fixture f;
    const auto lb = f.load_balancer();
    const auto group = f.target_group();
    const auto listener = f.elb.ok("CreateListener", {{"LoadBalancerArn", lb},
                                                      {"Protocol", "HTTP"},
                                                      {"Port", 8080},
                                                      {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", group}}}}})
                              ["Listeners"][0];
    CHECK(listener["ListenerArn"].get<std::string>().rfind(
              "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/", 0) == 0);
    CHECK(listener["Port"] == 8080);
    CHECK(listener["DefaultActions"] ==
          json{{{"Type", "forward"},
                {"TargetGroupArn", group},
                {"ForwardConfig", {{"TargetGroups", {{{"TargetGroupArn", group}, {"Weight", 1}}}},
                                   {"TargetGroupStickinessConfig", {{"Enabled", false}}}}}}});
}

TEST_CASE("CreateListener checks protocols, ports and actions", "[elbv2][listeners]") {
    Elbv2Fixture f;
    const auto alb = f.load_balancer("alb");
    const auto nlb = f.load_balancer("nlb", "network");
    const auto http = f.target_group("http");
    const auto tcp = f.target_group("tcp", "TCP");
    auto create = [&](const std::string& lb, const std::string& protocol, int port, const json& actions) {
        return f.elb.call("CreateListener",
                          {{"LoadBalancerArn", lb}, {"Protocol", protocol}, {"Port", port}, {"DefaultActions", actions}});
    };
    const json to_http = {{{"Type", "forward"}, {"TargetGroupArn", http}}};
    const json to_tcp = {{{"Type", "forward"}, {"TargetGroupArn", tcp}}};
    CHECK(create(alb, "HTTPS", 443, to_http).error_code() == "UnsupportedProtocol");
    CHECK(create(alb, "TCP", 80, to_tcp).error_code() == "UnsupportedProtocol");
    CHECK(create(alb, "HTTP", 80, to_tcp).error_code() == "IncompatibleProtocols");
    CHECK(create(alb, "HTTP", 0, to_http).error_code() == "ValidationError");
    CHECK(create(nlb, "TCP", 80, json{{{"Type", "fixed-response"}, {"FixedResponseConfig", {{"StatusCode", "200"}}}}})
              .error_code() == "InvalidLoadBalancerAction");
    CHECK(create(alb, "HTTP", 80, json{{{"Type", "authenticate-oidc"}}}).error_code() == "InvalidLoadBalancerAction");
    CHECK(create(alb, "HTTP", 80, json{{{"Type", "forward"}, {"TargetGroupArn", http + "x"}}}).error_code() ==
          "TargetGroupNotFound");
    CHECK(create(alb, "HTTP", 80, json{{{"Type", "redirect"}, {"RedirectConfig", {{"StatusCode", "HTTP_301"}}}}})
              .error_code() == "ValidationError");  // a redirect to itself
    REQUIRE(create(nlb, "TCP", 5432, to_tcp).status == 200);
    REQUIRE(create(alb, "HTTP", 80, to_http).status == 200);
    CHECK(create(alb, "HTTP", 80, json{{{"Type", "fixed-response"}, {"FixedResponseConfig", {{"StatusCode", "404"}}}}})
              .error_code() == "DuplicateListener");
    // One target group serves one load balancer.
    const auto other = f.load_balancer("other");
    CHECK(create(other, "HTTP", 80, to_http).error_code() == "TargetGroupAssociationLimit");
}

TEST_CASE("a redirect fills in ELB's defaults", "[elbv2][listeners]") {
    Elbv2Fixture f;
    const auto lb = f.load_balancer();
    const auto listener = f.elb.ok("CreateListener",
                                   {{"LoadBalancerArn", lb},
                                    {"Protocol", "HTTP"},
                                    {"Port", 80},
                                    {"DefaultActions", {{{"Type", "redirect"},
                                                         {"RedirectConfig", {{"StatusCode", "HTTP_302"}, {"Port", "8443"}}}}}}})
                              ["Listeners"][0];
    CHECK(listener["DefaultActions"][0]["RedirectConfig"] == json{{"StatusCode", "HTTP_302"}, {"Port", "8443"},
                                                                   {"Protocol", "#{protocol}"}, {"Host", "#{host}"},
                                                                   {"Path", "/#{path}"}, {"Query", "#{query}"}});
}

TEST_CASE("ModifyListener changes the port and the default actions; DescribeListeners shows them",
          "[elbv2][listeners]") {
    Elbv2Fixture f;
    const auto lb = f.load_balancer();
    const auto a = f.target_group("a");
    const auto b = f.target_group("b");
    const auto listener = f.listener(lb, a, 80);
    const auto second = f.listener(lb, b, 81);
    CHECK(f.elb.call("ModifyListener", {{"ListenerArn", listener}, {"Port", 81}}).error_code() == "DuplicateListener");
    f.elb.ok("ModifyListener", {{"ListenerArn", listener},
                                {"Port", 8080},
                                {"DefaultActions", {{{"Type", "forward"},
                                                     {"ForwardConfig", {{"TargetGroups", {{{"TargetGroupArn", a}, {"Weight", 3}},
                                                                                          {{"TargetGroupArn", b}, {"Weight", 1}}}}}}}}}});
    const auto listeners = f.elb.ok("DescribeListeners", {{"LoadBalancerArn", lb}})["Listeners"];
    REQUIRE(listeners.size() == 2);
    const auto& modified = listeners[0]["ListenerArn"] == listener ? listeners[0] : listeners[1];
    CHECK(modified["Port"] == 8080);
    CHECK_FALSE(modified["DefaultActions"][0].contains("TargetGroupArn"));
    CHECK(modified["DefaultActions"][0]["ForwardConfig"]["TargetGroups"][0]["Weight"] == 3);
    f.elb.ok("DeleteListener", {{"ListenerArn", second}});
    CHECK(f.elb.ok("DescribeListeners", {{"LoadBalancerArn", lb}})["Listeners"].size() == 1);
    CHECK(f.elb.call("DeleteListener", {{"ListenerArn", second}}).error_code() == "ListenerNotFound");
    CHECK(f.elb.call("DescribeListeners").error_code() == "ValidationError");
}

#pragma once
// What the ELBv2 handler tests build on: the service over the query protocol, and the few
// resources most tests need (a load balancer, an HTTP target group, a listener).
#include <string>

#include "support/service_harness.hpp"

namespace ecsbox::testing {

struct Elbv2Fixture {
    ServiceHarness elb{"elbv2"};

    std::string load_balancer(const std::string& name = "web", const std::string& type = "application") {
        return elb.ok("CreateLoadBalancer", {{"Name", name}, {"Type", type}})["LoadBalancers"][0]["LoadBalancerArn"];
    }
    std::string target_group(const std::string& name = "web-tg", const std::string& protocol = "HTTP",
                             const std::string& target_type = "ip") {
        return elb.ok("CreateTargetGroup",
                      {{"Name", name}, {"Protocol", protocol}, {"Port", 80}, {"TargetType", target_type}})
            ["TargetGroups"][0]["TargetGroupArn"];
    }
    std::string listener(const std::string& load_balancer_arn, const std::string& target_group_arn, int port = 80,
                         const std::string& protocol = "HTTP") {
        return elb.ok("CreateListener", {{"LoadBalancerArn", load_balancer_arn},
                                         {"Protocol", protocol},
                                         {"Port", port},
                                         {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", target_group_arn}}}}})
            ["Listeners"][0]["ListenerArn"];
    }
};

}  // namespace ecsbox::testing

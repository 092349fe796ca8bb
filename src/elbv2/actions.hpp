#pragma once
// A listener's and a rule's actions and a rule's conditions, checked as ELB checks them and
// written back as ELB echoes them (a single forward also as a ForwardConfig, redirect defaults
// filled in, legacy condition Values mirrored into their config). Throws AwsError.
#include <string>
#include <vector>

#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

struct CheckedActions {
    json actions = json::array();
    std::vector<std::string> target_groups;  // forwarded to, in order, once each
};

// `protocol` is the listener's (HTTP or TCP); forwards must reach target groups of the scope
// that speak it and that no other load balancer uses.
CheckedActions check_actions(Elbv2Context& elb, const store::Scope& scope, const json& actions,
                             const std::string& protocol, const std::string& load_balancer_arn);
json check_conditions(const json& conditions);

}  // namespace ecsbox::elbv2

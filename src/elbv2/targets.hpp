#pragma once
// Targets of a target group: registered (instance ids of the local container instances, or IP
// addresses, each with a port), deregistered (they drain), and their health as the balancer's
// checks last found it, with ELB's states and reason codes.
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

json register_targets(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json deregister_targets(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_target_health(Elbv2Context& elb, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::elbv2

#pragma once
// Target groups: HTTP groups for application load balancers (health checked with an HTTP
// request and a matcher) and TCP groups for network load balancers (a TCP connect), of target
// type instance (the local container instances) or ip. A group serves, and its targets are
// health checked, while a listener or rule forwards to it.
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

json create_target_group(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_target_groups(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json modify_target_group(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json delete_target_group(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_target_group_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json modify_target_group_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::elbv2

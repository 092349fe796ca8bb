#pragma once
// Tags of load balancers, target groups, listeners and rules, by ARN (at most 20 per call, 50
// per resource).
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

json add_tags(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json remove_tags(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_tags(Elbv2Context& elb, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::elbv2

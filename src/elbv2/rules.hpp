#pragma once
// Listener rules of application load balancers: conditions (path, host, headers, method, query
// string, source address) and actions, by priority; a listener's default rule is its default
// actions and cannot be deleted or given conditions.
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

json create_rule(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_rules(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json modify_rule(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json delete_rule(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json set_rule_priorities(Elbv2Context& elb, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::elbv2

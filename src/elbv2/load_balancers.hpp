#pragma once
// Load balancers: application (HTTP listeners, rules) and network (TCP listeners). Each one's
// DNSName is the address its listeners answer on locally; its State says whether the balancer
// has opened its listeners (active), had to open one on another port (active_impaired, with the
// reason), or could not open one. Subnets and security groups are checked for their form and
// echoed; none is needed.
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

json create_load_balancer(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_load_balancers(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json delete_load_balancer(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_load_balancer_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json modify_load_balancer_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json set_subnets(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json set_security_groups(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json set_ip_address_type(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_account_limits(Elbv2Context& elb, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::elbv2

#pragma once
// Listeners: a port of a load balancer and what it does with what arrives there (its default
// actions, which are its default rule). HTTP listeners on application load balancers, TCP on
// network ones. The port is the local port that listens; when it is privileged or taken, the
// balancer listens on a free port instead, and DescribeListeners shows that port (the load
// balancer's State says why).
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

json create_listener(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_listeners(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json modify_listener(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json delete_listener(Elbv2Context& elb, const protocol::CallContext& call, const json& input);
json describe_listener_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input);

// The listener as DescribeListeners shows it, with its default rule's actions.
json listener_json(Elbv2Context& elb, const store::ListenerRecord& record);

}  // namespace ecsbox::elbv2

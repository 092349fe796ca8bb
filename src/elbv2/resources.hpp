#pragma once
// What every ELBv2 handler looks up the same way: a resource of the caller's scope by ARN (or
// ELB's not-found error), a page of a Describe answer (PageSize and Marker), and the tags a
// Create call brings.
#include <string>
#include <vector>

#include "elbv2/arns.hpp"
#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

// Throws ValidationError unless `arn` is a well-formed ELBv2 ARN of that kind, as ELB checks
// an ARN's form before it looks the resource up.
void check_arn(const std::string& arn, ArnKind kind);

store::LoadBalancerRecord require_load_balancer(Elbv2Context& elb, const protocol::CallContext& call,
                                                const std::string& arn);
store::TargetGroupRecord require_target_group(Elbv2Context& elb, const protocol::CallContext& call,
                                              const std::string& arn);
store::ListenerRecord require_listener(Elbv2Context& elb, const protocol::CallContext& call, const std::string& arn);
store::RuleRecord require_rule(Elbv2Context& elb, const protocol::CallContext& call, const std::string& arn);

// `items` in their answer's order, each with the key a Marker resumes after (unique, and
// ordered as the items are). Adds NextMarker when more follow.
json page_of(const std::vector<std::pair<std::string, json>>& items, const json& input, const std::string& list_name);

// Checks a Create call's Tags (at most 50, keys once each) and records them for `arn`.
void put_tags(Elbv2Context& elb, const std::string& arn, const json& tags);

// The VPC of load balancers and target groups that name none: one per account and region, as a
// default VPC is.
std::string default_vpc(const store::Scope& scope);

// The load balancer's type ("application" or "network") from its description.
std::string type_of(const store::LoadBalancerRecord& record);

}  // namespace ecsbox::elbv2

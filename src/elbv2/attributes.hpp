#pragma once
// Attributes of load balancers and target groups as ELB keeps them: every key of the type has
// a value (the defaults until modified), unknown keys and malformed values are refused, and
// Describe lists them all. Throws AwsError.
#include <map>
#include <string>

#include "elbv2/elbv2_context.hpp"

namespace ecsbox::elbv2 {

// The defaults of a load balancer of `type` (application | network).
json load_balancer_attribute_defaults(const std::string& type);
// The defaults of a target group of `protocol` and `target_type`.
json target_group_attribute_defaults(const std::string& protocol, const std::string& target_type);

// `current` (key -> value) with the input's Attributes applied; `defaults` says which keys exist.
json apply_attributes(const json& current, const json& defaults, const json& attributes);
// [{Key, Value}] in key order.
json attribute_list(const json& values);

}  // namespace ecsbox::elbv2

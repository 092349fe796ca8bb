#pragma once
// The ELBv2 errors handlers raise, by the model's shape names (the query codec writes each
// shape's wire code, e.g. LoadBalancerNotFound), worded as ELB words them.
#include <string>

#include "protocol/aws_error.hpp"

namespace ecsbox::elbv2 {

using protocol::AwsError;

inline AwsError validation_error(const std::string& message) { return {"ValidationError", message}; }
inline AwsError invalid_configuration(const std::string& message) {
    return {"InvalidConfigurationRequestException", message};
}
inline AwsError operation_not_permitted(const std::string& message) {
    return {"OperationNotPermittedException", message};
}
inline AwsError unsupported_protocol(const std::string& message) { return {"UnsupportedProtocolException", message}; }
inline AwsError incompatible_protocols(const std::string& message) {
    return {"IncompatibleProtocolsException", message};
}
inline AwsError invalid_target(const std::string& message) { return {"InvalidTargetException", message}; }
inline AwsError invalid_action(const std::string& message) { return {"InvalidLoadBalancerActionException", message}; }

inline AwsError load_balancer_not_found(const std::string& message = "One or more load balancers not found") {
    return {"LoadBalancerNotFoundException", message};
}
inline AwsError target_group_not_found(const std::string& message = "One or more target groups not found") {
    return {"TargetGroupNotFoundException", message};
}
inline AwsError listener_not_found(const std::string& message = "One or more listeners not found") {
    return {"ListenerNotFoundException", message};
}
inline AwsError rule_not_found(const std::string& message = "One or more rules not found") {
    return {"RuleNotFoundException", message};
}

}  // namespace ecsbox::elbv2

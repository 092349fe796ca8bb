#pragma once
// The ECS errors handlers raise, with the codes and wording ECS uses.
#include <string>

#include "protocol/aws_error.hpp"

namespace ecsbox::ecs {

using protocol::AwsError;

inline AwsError client_error(const std::string& message) { return {"ClientException", message}; }
inline AwsError invalid_parameter(const std::string& message) { return {"InvalidParameterException", message}; }
inline AwsError cluster_not_found() { return {"ClusterNotFoundException", "Cluster not found."}; }
inline AwsError resource_not_found(const std::string& message = "The specified resource could not be found.") {
    return {"ResourceNotFoundException", message};
}

}  // namespace ecsbox::ecs

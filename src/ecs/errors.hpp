#pragma once
// The ECS errors handlers raise, with the codes and wording ECS uses.
#include <string>

#include "protocol/aws_error.hpp"
#include "scheduler/outcome.hpp"

namespace ecsbox::ecs {

using protocol::AwsError;

inline AwsError client_error(const std::string& message) { return {"ClientException", message}; }
inline AwsError invalid_parameter(const std::string& message) { return {"InvalidParameterException", message}; }
inline AwsError cluster_not_found() { return {"ClusterNotFoundException", "Cluster not found."}; }
inline AwsError service_not_found() { return {"ServiceNotFoundException", "Service not found."}; }
inline AwsError service_not_active() { return {"ServiceNotActiveException", "Service was not ACTIVE."}; }
inline AwsError resource_not_found(const std::string& message = "The specified resource could not be found.") {
    return {"ResourceNotFoundException", message};
}

// The AWS error for a refusal of the scheduling code.
inline AwsError aws_error_of(const scheduler::SchedulingError& error) {
    if (error.kind == scheduler::SchedulingError::Kind::unavailable) return {"ServerException", error.message, 500};
    return invalid_parameter(error.message);
}

// The value of an outcome, or its refusal thrown as the AWS error.
template <class T>
T value_or_throw(scheduler::Outcome<T> outcome) {
    if (!outcome) throw aws_error_of(outcome.error());
    return std::move(*outcome);
}

}  // namespace ecsbox::ecs

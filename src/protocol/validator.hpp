#pragma once
// Checks a parsed request against its input shape, as AWS's front end does before any handler
// runs: JSON types (a mismatch is a SerializationException), then constraints — required
// members, enums, lengths, ranges, list and map sizes — reported together in AWS's
// "N validation errors detected: ..." form under the service's own validation error code.
// Members the model does not know are ignored, as AWS ignores them. Stateless; thread-safe.
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "protocol/service_model.hpp"

namespace ecsbox::protocol {

// Throws AwsError on the first type mismatch or on any constraint violation.
void validate_input(const ServiceModel& model, ShapeId shape, const nlohmann::json& value,
                    const std::string& constraint_error_code);

}  // namespace ecsbox::protocol

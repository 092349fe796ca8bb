#pragma once
// Turns handler results and errors into AWS JSON 1.1 bodies. Output is shaped by the model:
// members the output shape does not declare, and nulls, never reach the wire, so internal
// bookkeeping cannot leak and absent members are omitted as AWS omits them. Stateless.
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "protocol/service_model.hpp"

namespace ecsbox::protocol {

// Removes, in place, every null and every member the shape does not declare.
void shape_output(const ServiceModel& model, ShapeId shape, nlohmann::json& value);

// Compact JSON; invalid UTF-8 is replaced rather than thrown on.
std::string to_wire(const nlohmann::json& value);

// {"__type": code, "message": message}
std::string error_body(const std::string& code, const std::string& message);
// The same with further members of the error shape (an object).
std::string error_body(const std::string& code, const std::string& message, const nlohmann::json& members);

}  // namespace ecsbox::protocol

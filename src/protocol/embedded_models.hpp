#pragma once
// The botocore models compiled into the binary (see src/CMakeLists.txt). Read-only.
#include <string_view>

namespace ecsbox::protocol {

std::string_view embedded_ecs_model();
std::string_view embedded_ecr_model();

}  // namespace ecsbox::protocol

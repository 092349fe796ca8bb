#pragma once
// The botocore models compiled into the binary (ECSBOX_EMBEDDED_MODELS in src/CMakeLists.txt,
// which also generates the table). Read-only.
#include <string_view>
#include <vector>

namespace ecsbox::protocol {

struct EmbeddedModel {
    std::string_view name;  // as the service's folder is named: "ecs", "ecr"
    std::string_view text;  // the minified model JSON
};

// Every embedded model, in the order of the CMake list.
std::vector<EmbeddedModel> embedded_models();

// The model named `name`; throws std::out_of_range when none is.
std::string_view embedded_model(std::string_view name);

}  // namespace ecsbox::protocol

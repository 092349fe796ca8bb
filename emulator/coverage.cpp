#include "coverage.hpp"

#include <algorithm>

#include "ecs/ecs_service.hpp"
#include "protocol/embedded_models.hpp"
#include "protocol/service_model.hpp"

namespace ecsbox {

std::string coverage_markdown() {
    const auto model = protocol::ServiceModel::parse(protocol::embedded_ecs_model());
    const auto implemented = ecs::implemented_ecs_operations();
    std::string rows;
    std::size_t count = 0;
    for (const auto& op : model.operations()) {
        const bool done = std::find(implemented.begin(), implemented.end(), op.name) != implemented.end();
        count += done;
        rows += "| " + op.name + " | " + (done ? "yes" : "no") + " |\n";
    }
    return "ECS (" + model.api_version() + "): " + std::to_string(count) + " of " +
           std::to_string(model.operations().size()) + " operations implemented.\n\n| Operation | Implemented |\n|---|---|\n" +
           rows;
}

}  // namespace ecsbox

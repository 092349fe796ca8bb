#include "coverage.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "ecr/ecr_service.hpp"
#include "ecs/ecs_service.hpp"
#include "protocol/embedded_models.hpp"
#include "protocol/service_model.hpp"

namespace ecsbox {

namespace {

std::string service_table(const std::string& title, std::string_view model_text,
                          const std::vector<std::string>& implemented) {
    const auto model = protocol::ServiceModel::parse(model_text);
    std::string rows;
    std::size_t count = 0;
    for (const auto& op : model.operations()) {
        const bool done = std::find(implemented.begin(), implemented.end(), op.name) != implemented.end();
        count += done;
        rows += "| " + op.name + " | " + (done ? "yes" : "no") + " |\n";
    }
    return title + " (" + model.api_version() + "): " + std::to_string(count) + " of " +
           std::to_string(model.operations().size()) + " operations implemented.\n\n| Operation | Implemented |\n|---|---|\n" +
           rows;
}

}  // namespace

std::string coverage_markdown() {
    return service_table("ECS", protocol::embedded_ecs_model(), ecs::implemented_ecs_operations()) + "\n" +
           service_table("ECR", protocol::embedded_ecr_model(), ecr::implemented_ecr_operations());
}

}  // namespace ecsbox

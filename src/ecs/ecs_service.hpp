#pragma once
// Binds the ECS handlers to the ECS service model and registers them with the dispatcher.
// The handler table here is the source of `ecsbox coverage`.
#include <memory>
#include <string>
#include <vector>

#include "ecs/ecs_context.hpp"
#include "protocol/dispatcher.hpp"
#include "protocol/service_model.hpp"

namespace ecsbox::ecs {

// The ECS operations ecsbox implements, in the model's spelling.
std::vector<std::string> implemented_ecs_operations();

// `ecs` must outlive the dispatcher.
void register_ecs_service(protocol::Dispatcher& dispatcher, std::shared_ptr<const protocol::ServiceModel> model,
                          EcsContext& ecs);

}  // namespace ecsbox::ecs

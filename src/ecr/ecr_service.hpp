#pragma once
// Binds the ECR handlers to the ECR service model and registers them with the dispatcher.
// The handler table here is the source of `ecsbox coverage` for ECR.
#include <memory>
#include <string>
#include <vector>

#include "ecr/ecr_context.hpp"
#include "protocol/dispatcher.hpp"
#include "protocol/service_model.hpp"

namespace ecsbox::ecr {

// The ECR operations ecsbox implements, in the model's spelling.
std::vector<std::string> implemented_ecr_operations();

// `ecr` must outlive the dispatcher.
void register_ecr_service(protocol::Dispatcher& dispatcher, std::shared_ptr<const protocol::ServiceModel> model,
                          EcrContext& ecr);

}  // namespace ecsbox::ecr

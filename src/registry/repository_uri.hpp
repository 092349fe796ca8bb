#pragma once
// Image references that name ecsbox's own registry: the repositoryUri ECR answers
// ("localhost:4566/web:1") and the form real task definitions carry
// ("123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1"). Both become a reference the Docker
// engine can pull from ecsbox, with the account and region whose token opens the repository.
// Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "store/scope.hpp"

namespace ecsbox::registry {

struct RegistryImage {
    std::string reference;  // "<registry host>/<name>[:tag][@digest]", what the engine pulls
    store::Scope scope;     // whose repository it is
};

// nullopt for images of any other registry. An ECR host names its account and region; the
// local host means the task's own (`task_scope`).
std::optional<RegistryImage> resolve_registry_image(std::string_view image, std::string_view registry_host,
                                                    const store::Scope& task_scope);

}  // namespace ecsbox::registry

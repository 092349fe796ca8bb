#pragma once
// The AWS shapes of services and their deployments, read from the store: Service (with its
// deployments[], events[] and counts derived from its tasks), ServiceDeployment and its brief,
// and ServiceRevision. Shared by the service handlers; pure reads.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

json service_json(EcsContext& ecs, const store::ServiceRecord& service, bool with_tags = false);

// ServiceDeployment's status for a deployment, given every deployment of its service.
std::string service_deployment_status(const store::DeploymentRecord& deployment,
                                      const std::vector<store::DeploymentRecord>& all);
json service_deployment_brief(const store::ServiceRecord& service, const store::DeploymentRecord& deployment,
                              const std::vector<store::DeploymentRecord>& all);
json service_deployment_json(EcsContext& ecs, const store::ServiceRecord& service,
                             const store::DeploymentRecord& deployment, const std::vector<store::DeploymentRecord>& all);
json service_revision_json(EcsContext& ecs, const store::ServiceRecord& service, const store::DeploymentRecord& deployment);

}  // namespace ecsbox::ecs

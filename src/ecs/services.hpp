#pragma once
// ECS services as the API sees them: CreateService, UpdateService, DeleteService,
// DescribeServices, ListServices, ListServicesByNamespace (service deployments and revisions are
// in ecs/service_deployments). Handlers record the desired count, the configuration and new
// deployments; the service scheduler (scheduler/service_scheduler) makes the tasks match.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

// A service of the cluster named by name or ARN (INACTIVE ones included), if it exists.
std::optional<store::ServiceRecord> find_service(EcsContext& ecs, const store::Scope& scope,
                                                 const store::ClusterRecord& cluster, const std::string& identifier);

json create_service(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json update_service(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json delete_service(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_services(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_services(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_services_by_namespace(EcsContext& ecs, const protocol::CallContext& call, const json& input);

// Removes services that have been INACTIVE longer than the retention, with their tags.
std::size_t purge_inactive_services(EcsContext& ecs);

}  // namespace ecsbox::ecs

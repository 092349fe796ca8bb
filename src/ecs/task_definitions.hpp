#pragma once
// ECS task definitions: RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions,
// ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

json register_task_definition(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_task_definition(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_task_definitions(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_task_definition_families(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json deregister_task_definition(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json delete_task_definitions(EcsContext& ecs, const protocol::CallContext& call, const json& input);

// Removes revisions whose deletion delay has passed, with their tags. Called periodically.
std::size_t purge_deleted_task_definitions(EcsContext& ecs);

}  // namespace ecsbox::ecs

#pragma once
// Container instances as the API shows them. The local engine is one, registered on demand in
// each cluster that runs tasks (scheduler/instances); it is the only instance tasks are placed on.
// ListContainerInstances, DescribeContainerInstances, UpdateContainerInstancesState,
// RegisterContainerInstance, DeregisterContainerInstance, PutAttributes, ListAttributes,
// DeleteAttributes.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

json list_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json update_container_instances_state(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json register_container_instance(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json deregister_container_instance(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json put_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json delete_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecs

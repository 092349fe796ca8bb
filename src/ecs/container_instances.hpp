#pragma once
// Container instances. The local engine is one, registered on demand in each cluster that runs
// tasks, with the CPU and memory the reconciler read from the engine, and the remaining
// resources after the reservations of its tasks; it is the only instance tasks are placed on.
// ListContainerInstances, DescribeContainerInstances, UpdateContainerInstancesState,
// RegisterContainerInstance, DeregisterContainerInstance, PutAttributes, ListAttributes,
// DeleteAttributes.
#include "ecs/cluster_query.hpp"
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

struct Resources {
    std::int64_t cpu = 0;     // CPU units (1024 per core)
    std::int64_t memory = 0;  // MiB
};

// The container instance of the local engine in `cluster_arn`, registered now if it is not yet.
store::ContainerInstanceRecord ensure_local_instance(EcsContext& ecs, const store::Scope& scope,
                                                     const std::string& cluster_arn, const std::string& cluster_name);
// True for the local engine's registration (as opposed to one made through the API).
bool is_local(const store::ContainerInstanceRecord& instance);
Resources registered_resources(const store::ContainerInstanceRecord& instance);
Resources remaining_resources(EcsContext& ecs, const store::ContainerInstanceRecord& instance);
// What the cluster query language can ask about the instance.
InstanceFacts instance_facts(EcsContext& ecs, const store::ContainerInstanceRecord& instance);
// What a task reserves: its task-level cpu/memory, else the sum over its containers.
Resources task_reservation(const json& task);

json list_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json update_container_instances_state(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json register_container_instance(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json deregister_container_instance(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json put_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json delete_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecs

#pragma once
// ECS clusters: CreateCluster, DescribeClusters, ListClusters, UpdateCluster,
// UpdateClusterSettings, PutClusterCapacityProviders, DeleteCluster.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

// A cluster named by name or ARN, which must be ACTIVE; ClusterNotFoundException otherwise.
store::ClusterRecord require_active_cluster(EcsContext& ecs, const store::Scope& scope, const std::string& identifier);

// The request's `cluster` (the `default` cluster when it names none), which must be ACTIVE:
// ECS creates no cluster implicitly for work launched into it.
store::ClusterRecord require_request_cluster(EcsContext& ecs, const store::Scope& scope, const json& input);

json create_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_clusters(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_clusters(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json update_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json update_cluster_settings(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json put_cluster_capacity_providers(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json delete_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecs

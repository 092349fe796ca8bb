#pragma once
// ECS service deployments and revisions as the API sees them: ListServiceDeployments,
// DescribeServiceDeployments, DescribeServiceRevisions, StopServiceDeployment. Each deployment
// deploys one service revision; a stop request is recorded for the service scheduler, which
// rolls the deployment back.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

json list_service_deployments(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_service_deployments(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_service_revisions(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json stop_service_deployment(EcsContext& ecs, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecs

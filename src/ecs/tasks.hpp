#pragma once
// ECS tasks as the API sees them: RunTask, StartTask, StopTask, DescribeTasks, ListTasks. Handlers record
// desired state and the initial task document; the reconciler starts and stops the containers
// and fills in what it observes.
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

json run_task(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json start_task(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json stop_task(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json describe_tasks(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_tasks(EcsContext& ecs, const protocol::CallContext& call, const json& input);

// The task definition a request names ("family", "family:revision" or its ARN), which must be
// ACTIVE; ClientException otherwise.
store::TaskDefinitionRecord require_task_definition(EcsContext& ecs, const store::Scope& scope,
                                                    const std::string& identifier);
// InvalidParameterException when a request (RunTask, CreateService, UpdateService) names both a
// launch type and a capacity provider strategy.
void require_one_launch_choice(const json& request);
// InvalidParameterException unless tasks of the definition can run with the launch type and the
// request's network configuration.
void require_launchable(const json& task_definition, const std::string& launch_type, const json& request);

// The AWS-shaped task: the reconciler's document with the desired state laid over it.
json task_json(const store::TaskRecord& record);

// Removes tasks that have been STOPPED longer than the retention, with their tags, and
// RunTask client tokens as old.
std::size_t purge_stopped_tasks(EcsContext& ecs);

}  // namespace ecsbox::ecs

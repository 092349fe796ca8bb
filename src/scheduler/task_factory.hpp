#pragma once
// New tasks: the row and the AWS-shaped task document (containers, sizes, overrides, group,
// timestamps) of a task about to be placed, PROVISIONING with desired status RUNNING. The task
// API (RunTask, StartTask) and the service scheduler make their tasks here, so a service's
// tasks are indistinguishable from run ones but for their group and startedBy. Pure apart from
// the ids it draws.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scheduler/instances.hpp"
#include "store/store.hpp"
#include "util/ids.hpp"

namespace ecsbox::scheduler {

// What every task of one launch shares.
struct TaskLaunch {
    store::Scope scope;
    std::string cluster_arn;
    store::TaskDefinitionRecord definition;
    nlohmann::json task_definition;  // definition.body, parsed
    std::string launch_type;         // EC2 | FARGATE | EXTERNAL
    nlohmann::json overrides = nlohmann::json::object();  // task cpu/memory already in plain units
    std::string group;               // "family:NAME" by default, "service:NAME" for a service's tasks
    std::optional<std::string> started_by;
    std::optional<std::string> service_name;
    bool enable_execute_command = false;
    std::string platform_version = "1.4.0";  // FARGATE tasks report one
};

// The launch type tasks of a request (RunTask, a service) run with: its launchType, or what its
// capacityProviderStrategy's first provider implies (FARGATE*, else EC2); EC2 by default.
// MANAGED_INSTANCES tasks run as EC2 ones do here.
std::string effective_launch_type(const nlohmann::json& request);

// The group a task gets when its launch names none.
std::string default_group(const store::TaskDefinitionRecord& definition);

// Task-level cpu and memory as ECS reports them: the definition's, else the containers' sum,
// with the overrides laid over both.
std::pair<std::string, std::string> task_size(const nlohmann::json& task_definition, const nlohmann::json& overrides);

// What each task of the launch reserves on its container instance.
Resources launch_reservation(const TaskLaunch& launch);

// A new task of `launch` on the container instance, created `now`. FARGATE tasks do not name
// their instance in the document, as on ECS, but reserve its resources all the same.
store::TaskRecord make_task(const TaskLaunch& launch, const std::string& instance_arn, util::IdGenerator& ids,
                            double now);

}  // namespace ecsbox::scheduler

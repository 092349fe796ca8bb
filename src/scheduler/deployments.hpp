#pragma once
// Service deployments as handlers and the service scheduler share them: making a deployment
// (its ecs-svc/ id, ARNs and launch configuration), and reading a service's tasks into the
// counts ECS shows, which are always derived from the tasks themselves. Pure apart from ids.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "util/ids.hpp"

namespace ecsbox::scheduler {

// The members of a service that a deployment launches its tasks with; changing any of them
// makes a new deployment.
inline constexpr const char* k_launch_members[] = {"launchType",          "capacityProviderStrategy",
                                                   "platformVersion",     "networkConfiguration",
                                                   "placementConstraints", "placementStrategy",
                                                   "loadBalancers"};

// A new PRIMARY, IN_PROGRESS deployment of the service's task definition and launch
// configuration (the service document's launch members).
store::DeploymentRecord new_deployment(const store::ServiceRecord& service, const std::string& task_definition_arn,
                                       util::IdGenerator& ids, double now);

// Makes `deployment` the service's PRIMARY one: the previous primary becomes ACTIVE (its tasks
// are replaced as the deployment configuration allows) and every unfinished deployment is
// recorded as a source of the new one. Within the caller's transaction.
void start_deployment(store::Store& store, store::DeploymentRecord deployment);

// The service revision ARN of a deployment (one revision per deployment here).
std::string revision_arn_of(const store::ServiceRecord& service, const store::DeploymentRecord& deployment);

// True while a task counts for its service: not stopped and not asked to stop.
bool is_live(const store::TaskRecord& task);
// What a task's document says of its health, read once.
struct TaskHealth {
    std::string status = "UNKNOWN";  // the task's healthStatus
    bool checked = false;            // its essential containers have health checks
    double started_at = 0;           // when it became RUNNING (its creation until then)
};
TaskHealth health_of(const store::TaskRecord& task);

// True for a live task that is RUNNING and, where its essential containers have health checks,
// healthy: one that serves.
bool is_healthy(const store::TaskRecord& task, const TaskHealth& health);
bool is_healthy(const store::TaskRecord& task);

struct TaskCounts {
    std::int64_t running = 0;  // RUNNING, including those asked to stop that have not begun to
    std::int64_t pending = 0;  // on their way to RUNNING
};

// The runningCount and pendingCount ECS shows for the tasks started by `deployment_id` ("" for
// every deployment), from the store's tallies of a service's tasks.
TaskCounts count_tasks(const std::vector<store::TaskTally>& tallies, const std::string& deployment_id = "");

// The circuit breaker's failed-task threshold for a desired count: half of it, at least 3 and
// at most 200, unless the breaker's thresholdConfiguration says otherwise.
std::int64_t circuit_breaker_threshold(std::int64_t desired_count, const nlohmann::json& circuit_breaker);

}  // namespace ecsbox::scheduler

#pragma once
// The service scheduler: one step for one service compares its desired count and deployments
// with its tasks and acts as far as the deployment configuration allows: starts tasks of the
// primary deployment (placed by scheduler/placement), stops surplus, unhealthy and old ones,
// counts failed tasks for the circuit breaker and rolls back, backs off tasks that keep failing
// to start, and writes the service events ECS writes. Every decision is recomputed from the
// store, so a restart in the middle of a deployment resumes it. A step is one store
// transaction and never calls Docker: the task runner turns the tasks it makes into containers.
// Not thread-safe for the same service: the Reconciler runs service steps on one thread.
#include <nlohmann/json.hpp>
#include <string>

#include "scheduler/instances.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace ecsbox::scheduler {

struct ServiceSchedulerDeps {
    store::Store& store;
    const util::Clock& clock;
    util::IdGenerator& ids;
    util::Logger& log;
    LocalInstances local_instances{};
    // Seconds a RUNNING task without container health checks waits before it counts towards
    // minimumHealthyPercent, as ECS waits 40.
    double unchecked_healthy_after = 40;
};

// Advances the service as far as it can go now. Returns true when it changed anything (tasks
// asked to start or stop, deployment states, events), so the caller looks again soon.
bool step_service(ServiceSchedulerDeps& deps, const std::string& service_arn);

// The seconds a deployment waits before starting tasks again after `consecutive_failures`
// tasks in a row failed to start: none for the first few, then doubling up to 5 minutes.
double launch_backoff_seconds(std::int64_t consecutive_failures);

}  // namespace ecsbox::scheduler

#pragma once
// Container instances as the scheduler sees them: what each has registered and has left after
// the reservations of its tasks, the facts the cluster query language asks about, and the local
// engine's own registration in a cluster. Plain code over store records; used by the task API
// (RunTask, StartTask) and by the service scheduler alike. Thread-safe as the store is.
#include <nlohmann/json.hpp>
#include <string>

#include "scheduler/cluster_query.hpp"
#include "scheduler/outcome.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/ids.hpp"

namespace ecsbox::scheduler {

struct Resources {
    std::int64_t cpu = 0;     // CPU units (1024 per core)
    std::int64_t memory = 0;  // MiB
};

// True for an instance ecsbox runs tasks on itself (the local engine), as opposed to one
// registered through the API, which has no agent behind it here.
bool is_local(const store::ContainerInstanceRecord& instance);
Resources registered_resources(const store::ContainerInstanceRecord& instance);
Resources remaining_resources(store::Store& store, const store::ContainerInstanceRecord& instance);
// The same from the load of the instance's tasks, read once by the caller.
Resources remaining_resources(const store::ContainerInstanceRecord& instance, const store::InstanceLoad& load);
// What the cluster query language can ask about the instance.
InstanceFacts instance_facts(store::Store& store, const store::ContainerInstanceRecord& instance);
InstanceFacts instance_facts(store::Store& store, const store::ContainerInstanceRecord& instance,
                             const store::InstanceLoad& load);
// ECS's resource list for registeredResources and remainingResources.
nlohmann::json resources_json(const Resources& resources);

// What the local engine registers in each cluster: its own container instance, sized as the
// engine reports, or with `simulated` > 0 that many stand-in instances of `size` each, spread
// over three availability zones, so placement can be exercised at scale (`--runtime none`).
// The local engine runs the tasks of all of them.
struct LocalInstances {
    std::size_t simulated = 0;
    Resources size{2048, 4096};
};

// The local engine's container instances in the cluster (not INACTIVE), registered now where
// they are not yet. Unavailable until the engine's size has been recorded.
Outcome<std::vector<store::ContainerInstanceRecord>> ensure_local_instances(store::Store& store, const util::Clock& clock,
                                                                           util::IdGenerator& ids, const store::Scope& scope,
                                                                           const std::string& cluster_arn,
                                                                           const LocalInstances& local);

}  // namespace ecsbox::scheduler

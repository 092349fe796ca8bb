#pragma once
// Task placement as ECS does it: constraints (distinctInstance, memberOf from the request and the
// task definition) filter the container instances, resources must fit, and strategies (binpack,
// spread, random, in order) rank what is left. Used by RunTask and by the service scheduler.
// Pure apart from the random strategy's draw; refusals are values.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scheduler/cluster_query.hpp"
#include "scheduler/instances.hpp"
#include "scheduler/outcome.hpp"
#include "util/ids.hpp"

namespace ecsbox::scheduler {

struct PlacementStrategy {
    std::string type;   // random | spread | binpack
    std::string field;  // instanceId, host, attribute:<name> (spread); cpu, memory (binpack)
};

struct PlacementRules {
    std::vector<ClusterQuery> member_of;
    bool distinct_instance = false;
    std::vector<PlacementStrategy> strategies;
};

// Reads and validates placementConstraints and placementStrategy (as a request gives them)
// together with the definition's own memberOf constraints.
Outcome<PlacementRules> read_placement(const nlohmann::json& constraints, const nlohmann::json& strategies,
                                       const nlohmann::json& task_definition, const std::string& launch_type);

// Why a task of `group` may not go on the instance ("MemberOf" or "DistinctInstance", as ECS
// reports them), or nullopt when it may.
std::optional<std::string> placement_refusal(const PlacementRules& rules, const InstanceFacts& instance,
                                             const std::string& group);

// A container instance that may take tasks, with what is left on it as placement goes on.
struct Candidate {
    store::ContainerInstanceRecord instance;
    Resources remaining;
    InstanceFacts facts;
    std::map<std::string, std::size_t> group_counts;  // tasks per group placed on it, not stopping
};

Candidate candidate_of(store::Store& store, const store::ContainerInstanceRecord& instance);
// The same from the load of its tasks, read once by the caller (TasksStore::loads_in).
Candidate candidate_of(store::Store& store, const store::ContainerInstanceRecord& instance,
                       const store::InstanceLoad& load);

struct PlacementFailure {
    std::string arn;     // the instance that refused
    std::string reason;  // RESOURCE:CPU, RESOURCE:MEMORY, MemberOf, DistinctInstance
};

struct Placement {
    std::optional<std::size_t> chosen;       // index into the candidates
    std::vector<PlacementFailure> failures;  // every refusal, when none was chosen
};

// Places one task of `group` that needs `need`: the best candidate by the strategies among
// those that pass the constraints and have room. The chosen candidate's remaining resources
// and facts take the task on, so the next call sees it.
Placement place_task(const PlacementRules& rules, std::vector<Candidate>& candidates, const Resources& need,
                     const std::string& group, util::IdGenerator& ids);

}  // namespace ecsbox::scheduler

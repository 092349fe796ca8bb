#pragma once
// RunTask's placement: constraints (distinctInstance, memberOf from the request and the task
// definition) and strategies (random, spread, binpack), checked as ECS checks them and applied
// to a candidate container instance. Pure apart from reading its inputs; the handler supplies
// the instance's facts.
#include <optional>
#include <string>
#include <vector>

#include "ecs/cluster_query.hpp"
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

struct PlacementRules {
    std::vector<ClusterQuery> member_of;
    bool distinct_instance = false;
};

// Reads and validates placementConstraints and placementStrategy of a RunTask request together
// with the definition's own memberOf constraints. Throws InvalidParameterException.
PlacementRules read_placement(const json& input, const json& task_definition, const std::string& launch_type);

// Why a task of `group` may not go on the instance ("MemberOf" or "DistinctInstance", as ECS
// reports them), or nullopt when it may.
std::optional<std::string> placement_refusal(const PlacementRules& rules, const InstanceFacts& instance,
                                             const std::string& group);

}  // namespace ecsbox::ecs

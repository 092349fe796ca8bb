#include "ecs/placement.hpp"

#include <algorithm>

#include "ecs/errors.hpp"

namespace ecsbox::ecs {

namespace {

constexpr std::size_t k_max_constraints = 10;
constexpr std::size_t k_max_strategies = 5;

void read_constraint(const json& constraint, PlacementRules& rules, const char* where) {
    const auto type = constraint.value("type", "");
    const auto expression = constraint.value("expression", "");
    if (type == "distinctInstance") {
        if (!expression.empty())
            throw invalid_parameter("A distinctInstance placement constraint cannot have an expression.");
        rules.distinct_instance = true;
        return;
    }
    if (type != "memberOf") throw invalid_parameter("Unknown placement constraint type '" + type + "' in " + where + ".");
    if (expression.empty()) throw invalid_parameter("A memberOf placement constraint needs an expression.");
    try {
        rules.member_of.push_back(ClusterQuery::parse(expression));
    } catch (const ClusterQueryError& e) {
        throw invalid_parameter("Invalid placement constraint expression '" + expression + "': " + e.what() + ".");
    }
}

void check_strategy(const json& strategy) {
    const auto type = strategy.value("type", "");
    const auto field = strategy.value("field", "");
    if (type == "random") {
        if (!field.empty()) throw invalid_parameter("The random placement strategy takes no field.");
    } else if (type == "spread") {
        const bool ok = field == "instanceId" || field == "host" ||
                        (field.starts_with("attribute:") && field.size() > 10);
        if (!ok) throw invalid_parameter("The spread placement strategy needs a field: instanceId, host or attribute:<name>.");
    } else if (type == "binpack") {
        if (field != "cpu" && field != "memory")
            throw invalid_parameter("The binpack placement strategy needs a field: cpu or memory.");
    } else {
        throw invalid_parameter("Unknown placement strategy type '" + type + "'.");
    }
}

}  // namespace

PlacementRules read_placement(const json& input, const json& task_definition, const std::string& launch_type) {
    const auto constraints = input.value("placementConstraints", json::array());
    const auto strategies = input.value("placementStrategy", json::array());
    if (launch_type == "FARGATE" && (!constraints.empty() || !strategies.empty()))
        throw invalid_parameter("Task placement constraints and strategies are not supported with the FARGATE launch type.");
    if (constraints.size() > k_max_constraints)
        throw invalid_parameter("At most 10 placement constraints can be given.");
    if (strategies.size() > k_max_strategies) throw invalid_parameter("At most 5 placement strategies can be given.");
    PlacementRules rules;
    for (const auto& c : constraints) read_constraint(c, rules, "the request");
    for (const auto& c : task_definition.value("placementConstraints", json::array()))
        read_constraint(c, rules, "the task definition");
    // Every strategy ranks candidates; with one schedulable instance (the local engine) every
    // ranking picks it, so a valid strategy changes nothing here.
    for (const auto& s : strategies) check_strategy(s);
    return rules;
}

std::optional<std::string> placement_refusal(const PlacementRules& rules, const InstanceFacts& instance,
                                             const std::string& group) {
    for (const auto& query : rules.member_of)
        if (!query.matches(instance)) return "MemberOf";
    if (rules.distinct_instance &&
        std::find(instance.task_groups.begin(), instance.task_groups.end(), group) != instance.task_groups.end())
        return "DistinctInstance";
    return std::nullopt;
}

}  // namespace ecsbox::ecs

#include "scheduler/placement.hpp"

#include <algorithm>
#include <limits>

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

constexpr std::size_t k_max_constraints = 10;
constexpr std::size_t k_max_strategies = 5;

std::optional<SchedulingError> read_constraint(const json& constraint, PlacementRules& rules, const char* where) {
    const auto type = constraint.value("type", "");
    const auto expression = constraint.value("expression", "");
    if (type == "distinctInstance") {
        if (!expression.empty()) return invalid("A distinctInstance placement constraint cannot have an expression.");
        rules.distinct_instance = true;
        return std::nullopt;
    }
    if (type != "memberOf") return invalid("Unknown placement constraint type '" + type + "' in " + where + ".");
    if (expression.empty()) return invalid("A memberOf placement constraint needs an expression.");
    try {
        rules.member_of.push_back(ClusterQuery::parse(expression));
    } catch (const ClusterQueryError& e) {
        return invalid("Invalid placement constraint expression '" + expression + "': " + e.what() + ".");
    }
    return std::nullopt;
}

std::optional<SchedulingError> read_strategy(const json& strategy, PlacementRules& rules) {
    const auto type = strategy.value("type", "");
    const auto field = strategy.value("field", "");
    if (type == "random") {
        if (!field.empty()) return invalid("The random placement strategy takes no field.");
    } else if (type == "spread") {
        const bool ok = field == "instanceId" || field == "host" || (field.starts_with("attribute:") && field.size() > 10);
        if (!ok) return invalid("The spread placement strategy needs a field: instanceId, host or attribute:<name>.");
    } else if (type == "binpack") {
        if (field != "cpu" && field != "memory") return invalid("The binpack placement strategy needs a field: cpu or memory.");
    } else {
        return invalid("Unknown placement strategy type '" + type + "'.");
    }
    rules.strategies.push_back({type, field});
    return std::nullopt;
}

std::optional<std::string> attribute_of(const InstanceFacts& facts, const std::string& name) {
    for (const auto& [key, value] : facts.attributes)
        if (key == name) return value.value_or("");
    return std::nullopt;
}

std::size_t count_of(const Candidate& c, const std::string& group) {
    const auto it = c.group_counts.find(group);
    return it == c.group_counts.end() ? 0 : it->second;
}

// Lower is better. Spread over an attribute counts the group's tasks on every candidate that
// shares the value, so tasks go to the least used value; instances without the attribute last.
std::vector<double> scores(const PlacementStrategy& strategy, const std::vector<Candidate>& candidates,
                           const std::vector<std::size_t>& eligible, const std::string& group) {
    std::vector<double> out;
    if (strategy.type == "binpack") {
        for (const auto i : eligible)
            out.push_back(static_cast<double>(strategy.field == "cpu" ? candidates[i].remaining.cpu
                                                                       : candidates[i].remaining.memory));
    } else if (strategy.field == "instanceId" || strategy.field == "host") {
        for (const auto i : eligible) out.push_back(static_cast<double>(count_of(candidates[i], group)));
    } else {
        const auto name = strategy.field.substr(10);
        std::map<std::string, std::size_t> per_value;
        for (const auto& c : candidates)
            if (const auto value = attribute_of(c.facts, name)) per_value[*value] += count_of(c, group);
        for (const auto i : eligible) {
            const auto value = attribute_of(candidates[i].facts, name);
            out.push_back(value ? static_cast<double>(per_value[*value]) : std::numeric_limits<double>::max());
        }
    }
    return out;
}

}  // namespace

Outcome<PlacementRules> read_placement(const json& constraints, const json& strategies, const json& task_definition,
                                       const std::string& launch_type) {
    if (launch_type == "FARGATE" && (!constraints.empty() || !strategies.empty()))
        return invalid("Task placement constraints and strategies are not supported with the FARGATE launch type.");
    if (constraints.size() > k_max_constraints) return invalid("At most 10 placement constraints can be given.");
    if (strategies.size() > k_max_strategies) return invalid("At most 5 placement strategies can be given.");
    PlacementRules rules;
    for (const auto& c : constraints)
        if (auto error = read_constraint(c, rules, "the request")) return *error;
    for (const auto& c : task_definition.value("placementConstraints", json::array()))
        if (auto error = read_constraint(c, rules, "the task definition")) return *error;
    for (const auto& s : strategies)
        if (auto error = read_strategy(s, rules)) return *error;
    return rules;
}

std::optional<std::string> placement_refusal(const PlacementRules& rules, const InstanceFacts& instance,
                                             const std::string& group) {
    for (const auto& query : rules.member_of)
        if (!query.matches(instance)) return "MemberOf";
    if (rules.distinct_instance && instance.task_groups.count(group)) return "DistinctInstance";
    return std::nullopt;
}

Candidate candidate_of(store::Store& store, const store::ContainerInstanceRecord& instance) {
    return candidate_of(store, instance, store.tasks().load_on(instance.arn));
}

Candidate candidate_of(store::Store& store, const store::ContainerInstanceRecord& instance,
                       const store::InstanceLoad& load) {
    Candidate c{instance, remaining_resources(instance, load), instance_facts(store, instance, load), {}};
    for (const auto& [group, count] : load.groups) c.group_counts[group] = static_cast<std::size_t>(count);
    return c;
}

Placement place_task(const PlacementRules& rules, std::vector<Candidate>& candidates, const Resources& need,
                     const std::string& group, util::IdGenerator& ids) {
    Placement placement;
    std::vector<std::size_t> eligible;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto& c = candidates[i];
        if (const auto refusal = placement_refusal(rules, c.facts, group)) {
            placement.failures.push_back({c.instance.arn, *refusal});
        } else if (need.memory > c.remaining.memory) {
            placement.failures.push_back({c.instance.arn, "RESOURCE:MEMORY"});
        } else if (need.cpu > c.remaining.cpu) {
            placement.failures.push_back({c.instance.arn, "RESOURCE:CPU"});
        } else {
            eligible.push_back(i);
        }
    }
    if (eligible.empty()) return placement;
    // Each strategy keeps the candidates it ranks best; the next one breaks their ties.
    for (const auto& strategy : rules.strategies) {
        if (eligible.size() == 1) break;
        if (strategy.type == "random") {
            eligible = {eligible[std::stoull(ids.hex(8), nullptr, 16) % eligible.size()]};
            break;
        }
        const auto s = scores(strategy, candidates, eligible, group);
        const auto best = *std::min_element(s.begin(), s.end());
        std::vector<std::size_t> kept;
        for (std::size_t k = 0; k < eligible.size(); ++k)
            if (s[k] == best) kept.push_back(eligible[k]);
        eligible = std::move(kept);
    }
    auto& chosen = candidates[eligible.front()];
    chosen.remaining.cpu -= need.cpu;
    chosen.remaining.memory -= need.memory;
    chosen.facts.task_groups.insert(group);
    ++chosen.group_counts[group];
    placement.failures.clear();
    placement.chosen = eligible.front();
    return placement;
}

}  // namespace ecsbox::scheduler

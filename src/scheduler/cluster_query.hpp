#pragma once
// ECS's cluster query language: the expressions of memberOf placement constraints and of
// ListContainerInstances filters, e.g.
//   attribute:ecs.availability-zone in [us-east-1a, us-east-1b] and not(task:group == web)
// parsed once, then matched against the facts of one container instance. Pure; a parsed
// query is immutable and may be shared between threads.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsbox::scheduler {

// What a query can ask about a container instance.
struct InstanceFacts {
    std::vector<std::pair<std::string, std::optional<std::string>>> attributes;  // name, value
    bool agent_connected = false;
    std::string agent_version;
    std::string registered_at;  // RFC 3339 UTC, so dates in queries compare as text
    std::int64_t running_tasks_count = 0;
    std::set<std::string> task_groups;  // groups of the tasks placed on it and not stopping
    std::string ec2_instance_id;
};

class ClusterQueryError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

class ClusterQuery {
public:
    // Throws ClusterQueryError saying what is wrong with the expression.
    static ClusterQuery parse(std::string_view expression);
    bool matches(const InstanceFacts& instance) const;

    struct Node;

private:
    explicit ClusterQuery(std::shared_ptr<const Node> root) : m_root(std::move(root)) {}
    std::shared_ptr<const Node> m_root;
};

}  // namespace ecsbox::scheduler

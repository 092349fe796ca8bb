#pragma once
// ECS ARNs in the long format (arn:aws:ecs:REGION:ACCOUNT:TYPE/ID) and the identifiers requests
// may use instead of them (a cluster name, "family:revision"). Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/scope.hpp"

namespace ecsbox::ecs {

struct ParsedArn {
    std::string region;
    std::string account;
    std::string resource_type;  // "cluster", "task-definition", "service", ...
    std::string resource_id;    // everything after the first '/'
};

std::optional<ParsedArn> parse_ecs_arn(std::string_view arn);

std::string cluster_arn(const store::Scope& scope, const std::string& name);
std::string task_definition_arn(const store::Scope& scope, const std::string& family, std::int64_t revision);

std::string task_arn(const store::Scope& scope, const std::string& cluster_name, const std::string& task_id);
std::string container_instance_arn(const store::Scope& scope, const std::string& cluster_name, const std::string& id);
std::string container_arn(const store::Scope& scope, const std::string& cluster_name, const std::string& task_id,
                          const std::string& id);

// A task named by its ARN or, within `cluster_name`, by its id -> its ARN; nullopt if malformed.
std::optional<std::string> task_arn_from(const store::Scope& scope, const std::string& cluster_name,
                                         const std::string& identifier);

// Letters, digits, hyphens and underscores, 1 to 255 of them: ECS's rule for cluster names,
// task definition families and container names.
bool is_ecs_name(std::string_view name);

// A cluster name or ARN -> the cluster name, if the ARN belongs to this account and region.
// nullopt for an ARN of another scope or a malformed identifier.
std::optional<std::string> cluster_name_from(const store::Scope& scope, const std::string& identifier);

struct TaskDefinitionRef {
    std::string family;
    std::optional<std::int64_t> revision;  // absent for a bare family: "the latest ACTIVE"
};

// "family", "family:revision" or a task definition ARN of this scope.
std::optional<TaskDefinitionRef> parse_task_definition_ref(const store::Scope& scope, const std::string& identifier);

}  // namespace ecsbox::ecs

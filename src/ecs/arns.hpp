#pragma once
// The identifiers ECS requests may use in place of ARNs (a cluster name, "family:revision", a
// task id) and ECS's naming rules. The ARN formats themselves are the store's (store/arns).
// Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/arns.hpp"

namespace ecsbox::ecs {

using store::cluster_arn;
using store::cluster_name_of;
using store::container_arn;
using store::container_instance_arn;
using store::parse_ecs_arn;
using store::ParsedArn;
using store::service_arn;
using store::task_arn;
using store::task_definition_arn;

// A task named by its ARN or, within `cluster_name`, by its id -> its ARN; nullopt if malformed.
std::optional<std::string> task_arn_from(const store::Scope& scope, const std::string& cluster_name,
                                         const std::string& identifier);

// Letters, digits, hyphens and underscores, 1 to 255 of them: ECS's rule for cluster names,
// task definition families, service names and container names.
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

#pragma once
// ECS ARNs in the long format (arn:aws:ecs:REGION:ACCOUNT:TYPE/ID): the keys of ECS rows, made
// by handlers and by the scheduler alike. Pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/scope.hpp"

namespace ecsbox::store {

struct ParsedArn {
    std::string region;
    std::string account;
    std::string resource_type;  // "cluster", "task-definition", "service", ...
    std::string resource_id;    // everything after the first '/'
};

std::optional<ParsedArn> parse_ecs_arn(std::string_view arn);

std::string cluster_arn(const Scope& scope, const std::string& name);
std::string task_definition_arn(const Scope& scope, const std::string& family, std::int64_t revision);
std::string service_arn(const Scope& scope, const std::string& cluster_name, const std::string& service_name);
// A service deployment and the service revision it deploys, by the deployment's number.
std::string service_deployment_arn(const Scope& scope, const std::string& cluster_name, const std::string& service_name,
                                   const std::string& id);
std::string service_revision_arn(const Scope& scope, const std::string& cluster_name, const std::string& service_name,
                                 const std::string& id);
std::string task_arn(const Scope& scope, const std::string& cluster_name, const std::string& task_id);
std::string container_instance_arn(const Scope& scope, const std::string& cluster_name, const std::string& id);
std::string container_arn(const Scope& scope, const std::string& cluster_name, const std::string& task_id,
                          const std::string& id);

// The name at the end of a cluster ARN.
std::string cluster_name_of(const std::string& cluster_arn);

}  // namespace ecsbox::store

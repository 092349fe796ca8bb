#include "store/arns.hpp"

namespace ecsbox::store {

namespace {

std::string arn_prefix(const Scope& scope) { return "arn:aws:ecs:" + scope.region + ":" + scope.account + ":"; }

}  // namespace

std::optional<ParsedArn> parse_ecs_arn(std::string_view arn) {
    constexpr std::string_view k_prefix = "arn:aws:ecs:";
    if (arn.substr(0, k_prefix.size()) != k_prefix) return std::nullopt;
    arn.remove_prefix(k_prefix.size());
    const auto colon1 = arn.find(':');
    if (colon1 == std::string_view::npos) return std::nullopt;
    const auto colon2 = arn.find(':', colon1 + 1);
    if (colon2 == std::string_view::npos) return std::nullopt;
    const auto resource = arn.substr(colon2 + 1);
    const auto slash = resource.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == resource.size()) return std::nullopt;
    return ParsedArn{std::string(arn.substr(0, colon1)), std::string(arn.substr(colon1 + 1, colon2 - colon1 - 1)),
                     std::string(resource.substr(0, slash)), std::string(resource.substr(slash + 1))};
}

std::string cluster_arn(const Scope& scope, const std::string& name) { return arn_prefix(scope) + "cluster/" + name; }

std::string task_definition_arn(const Scope& scope, const std::string& family, std::int64_t revision) {
    return arn_prefix(scope) + "task-definition/" + family + ":" + std::to_string(revision);
}

std::string service_arn(const Scope& scope, const std::string& cluster_name, const std::string& service_name) {
    return arn_prefix(scope) + "service/" + cluster_name + "/" + service_name;
}

std::string service_deployment_arn(const Scope& scope, const std::string& cluster_name, const std::string& service_name,
                                   const std::string& id) {
    return arn_prefix(scope) + "service-deployment/" + cluster_name + "/" + service_name + "/" + id;
}

std::string service_revision_arn(const Scope& scope, const std::string& cluster_name, const std::string& service_name,
                                 const std::string& id) {
    return arn_prefix(scope) + "service-revision/" + cluster_name + "/" + service_name + "/" + id;
}

std::string task_arn(const Scope& scope, const std::string& cluster_name, const std::string& task_id) {
    return arn_prefix(scope) + "task/" + cluster_name + "/" + task_id;
}

std::string container_instance_arn(const Scope& scope, const std::string& cluster_name, const std::string& id) {
    return arn_prefix(scope) + "container-instance/" + cluster_name + "/" + id;
}

std::string container_arn(const Scope& scope, const std::string& cluster_name, const std::string& task_id,
                          const std::string& id) {
    return arn_prefix(scope) + "container/" + cluster_name + "/" + task_id + "/" + id;
}

std::string cluster_name_of(const std::string& cluster_arn) { return cluster_arn.substr(cluster_arn.rfind('/') + 1); }

}  // namespace ecsbox::store

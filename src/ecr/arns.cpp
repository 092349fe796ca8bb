#include "ecr/arns.hpp"

namespace ecsbox::ecr {

std::string repository_arn(const store::Scope& scope, const std::string& name) {
    return "arn:aws:ecr:" + scope.region + ":" + scope.account + ":repository/" + name;
}

std::optional<RepositoryArn> parse_repository_arn(std::string_view arn) {
    constexpr std::string_view k_prefix = "arn:aws:ecr:";
    constexpr std::string_view k_resource = "repository/";
    if (arn.substr(0, k_prefix.size()) != k_prefix) return std::nullopt;
    arn.remove_prefix(k_prefix.size());
    const auto colon1 = arn.find(':');
    if (colon1 == std::string_view::npos || colon1 == 0) return std::nullopt;
    const auto colon2 = arn.find(':', colon1 + 1);
    if (colon2 == std::string_view::npos || colon2 == colon1 + 1) return std::nullopt;
    const auto resource = arn.substr(colon2 + 1);
    if (resource.substr(0, k_resource.size()) != k_resource || resource.size() == k_resource.size())
        return std::nullopt;
    return RepositoryArn{{std::string(arn.substr(colon1 + 1, colon2 - colon1 - 1)), std::string(arn.substr(0, colon1))},
                         std::string(resource.substr(k_resource.size()))};
}

std::string repository_uri(const std::string& registry_host, const std::string& name) {
    return registry_host + "/" + name;
}

}  // namespace ecsbox::ecr

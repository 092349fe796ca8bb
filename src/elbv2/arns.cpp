#include "elbv2/arns.hpp"

#include <array>
#include <utility>

namespace ecsbox::elbv2 {

namespace {

constexpr std::string_view k_prefix = "arn:aws:elasticloadbalancing:";

constexpr std::array<std::pair<std::string_view, ArnKind>, 4> k_kinds{{
    {"loadbalancer/", ArnKind::load_balancer},
    {"listener/", ArnKind::listener},
    {"listener-rule/", ArnKind::rule},
    {"targetgroup/", ArnKind::target_group},
}};

std::string base(const store::Scope& scope) { return std::string(k_prefix) + scope.region + ":" + scope.account + ":"; }

// What follows the resource kind in a listener's or rule's ARN, from its parent's ARN.
std::string below(const std::string& parent_arn, std::string_view parent_kind, std::string_view kind,
                  const std::string& id) {
    const auto at = parent_arn.find(parent_kind);
    return parent_arn.substr(0, at) + std::string(kind) + parent_arn.substr(at + parent_kind.size()) + "/" + id;
}

}  // namespace

std::optional<ElbArn> parse_arn(std::string_view arn) {
    if (arn.substr(0, k_prefix.size()) != k_prefix) return std::nullopt;
    arn.remove_prefix(k_prefix.size());
    const auto region_end = arn.find(':');
    if (region_end == std::string_view::npos || region_end == 0) return std::nullopt;
    const auto account_end = arn.find(':', region_end + 1);
    if (account_end == std::string_view::npos || account_end == region_end + 1) return std::nullopt;
    ElbArn parsed;
    parsed.scope = {std::string(arn.substr(region_end + 1, account_end - region_end - 1)),
                    std::string(arn.substr(0, region_end))};
    const auto resource = arn.substr(account_end + 1);
    for (const auto& [prefix, kind] : k_kinds) {
        if (resource.substr(0, prefix.size()) != prefix) continue;
        parsed.kind = kind;
        parsed.path = std::string(resource.substr(prefix.size()));
        if (parsed.path.empty()) return std::nullopt;
        return parsed;
    }
    return std::nullopt;
}

std::string load_balancer_arn(const store::Scope& scope, const std::string& type_code, const std::string& name,
                              const std::string& id) {
    return base(scope) + "loadbalancer/" + type_code + "/" + name + "/" + id;
}

std::string listener_arn(const std::string& load_balancer_arn, const std::string& id) {
    return below(load_balancer_arn, ":loadbalancer/", ":listener/", id);
}

std::string rule_arn(const std::string& listener_arn, const std::string& id) {
    return below(listener_arn, ":listener/", ":listener-rule/", id);
}

std::string target_group_arn(const store::Scope& scope, const std::string& name, const std::string& id) {
    return base(scope) + "targetgroup/" + name + "/" + id;
}

}  // namespace ecsbox::elbv2

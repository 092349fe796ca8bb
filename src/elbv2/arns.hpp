#pragma once
// ELBv2 ARNs (arn:aws:elasticloadbalancing:REGION:ACCOUNT:...): load balancers
// (loadbalancer/app|net/NAME/ID), their listeners and rules (listener/..., listener-rule/...
// below the load balancer's path) and target groups (targetgroup/NAME/ID). Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "store/scope.hpp"

namespace ecsbox::elbv2 {

enum class ArnKind { load_balancer, listener, rule, target_group };

struct ElbArn {
    store::Scope scope;
    ArnKind kind = ArnKind::load_balancer;
    std::string path;  // everything after "loadbalancer/", "listener/", ...: app/NAME/ID[/ID[/ID]]
};

std::optional<ElbArn> parse_arn(std::string_view arn);

// `type_code` is "app" or "net"; `id` 16 hex digits.
std::string load_balancer_arn(const store::Scope& scope, const std::string& type_code, const std::string& name,
                              const std::string& id);
std::string listener_arn(const std::string& load_balancer_arn, const std::string& id);
std::string rule_arn(const std::string& listener_arn, const std::string& id);
std::string target_group_arn(const store::Scope& scope, const std::string& name, const std::string& id);

}  // namespace ecsbox::elbv2

#include "elbv2/elbv2_service.hpp"

#include "elbv2/listeners.hpp"
#include "elbv2/load_balancers.hpp"
#include "elbv2/rules.hpp"
#include "elbv2/tags.hpp"
#include "elbv2/target_groups.hpp"
#include "elbv2/targets.hpp"

namespace ecsbox::elbv2 {

const protocol::ServiceSpec<Elbv2Context>& service_spec() {
    // Trust stores, certificates, capacity reservations and IP pools have no local meaning;
    // they answer OperationNotPermitted, a modeled error every SDK knows, naming the operation.
    static const protocol::ServiceSpec<Elbv2Context> spec{
        "elbv2",
        {"ValidationError", "OperationNotPermittedException"},
        {
            {"CreateLoadBalancer", create_load_balancer},
            {"DescribeLoadBalancers", describe_load_balancers},
            {"DeleteLoadBalancer", delete_load_balancer},
            {"DescribeLoadBalancerAttributes", describe_load_balancer_attributes},
            {"ModifyLoadBalancerAttributes", modify_load_balancer_attributes},
            {"SetSubnets", set_subnets},
            {"SetSecurityGroups", set_security_groups},
            {"SetIpAddressType", set_ip_address_type},
            {"DescribeAccountLimits", describe_account_limits},
            {"CreateTargetGroup", create_target_group},
            {"DescribeTargetGroups", describe_target_groups},
            {"ModifyTargetGroup", modify_target_group},
            {"DeleteTargetGroup", delete_target_group},
            {"DescribeTargetGroupAttributes", describe_target_group_attributes},
            {"ModifyTargetGroupAttributes", modify_target_group_attributes},
            {"CreateListener", create_listener},
            {"DescribeListeners", describe_listeners},
            {"ModifyListener", modify_listener},
            {"DeleteListener", delete_listener},
            {"DescribeListenerAttributes", describe_listener_attributes},
            {"CreateRule", create_rule},
            {"DescribeRules", describe_rules},
            {"ModifyRule", modify_rule},
            {"DeleteRule", delete_rule},
            {"SetRulePriorities", set_rule_priorities},
            {"RegisterTargets", register_targets},
            {"DeregisterTargets", deregister_targets},
            {"DescribeTargetHealth", describe_target_health},
            {"AddTags", add_tags},
            {"RemoveTags", remove_tags},
            {"DescribeTags", describe_tags},
        },
    };
    return spec;
}

}  // namespace ecsbox::elbv2

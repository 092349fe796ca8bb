#include "elbv2/load_balancers.hpp"

#include <regex>
#include <set>

#include "elbv2/arns.hpp"
#include "elbv2/attributes.hpp"
#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

constexpr std::size_t k_max_name = 32;

void check_name(const std::string& name) {
    static const std::regex allowed("[A-Za-z0-9-]+");
    if (name.empty() || name.size() > k_max_name)
        throw validation_error("Load balancer name '" + name + "' must be from 1 to 32 characters long");
    if (!std::regex_match(name, allowed))
        throw validation_error("Load balancer name '" + name +
                               "' can only contain characters that are alphanumeric characters or hyphens(-)");
    if (name.front() == '-' || name.back() == '-')
        throw validation_error("Load balancer name '" + name + "' cannot begin or end with a hyphen(-)");
    if (name.rfind("internal-", 0) == 0)
        throw validation_error("Load balancer name '" + name + "' cannot begin with 'internal-'");
}

void check_subnet(const std::string& id) {
    static const std::regex form("subnet-([0-9a-f]{8}|[0-9a-f]{17})");
    if (!std::regex_match(id, form)) throw AwsError("InvalidSubnetException", "The subnet ID '" + id + "' is not valid");
}

void check_security_groups(const json& groups) {
    static const std::regex form("sg-([0-9a-f]{8}|[0-9a-f]{17})");
    for (const auto& group : groups)
        if (!std::regex_match(group.get<std::string>(), form))
            throw AwsError("InvalidSecurityGroupException",
                           "The security group '" + group.get<std::string>() + "' is not valid");
}

// Availability zones for the subnets, one zone per subnet in the order given (a, b, c, ...).
json availability_zones(const std::string& region, const json& input) {
    json subnets = json::array();
    for (const auto& subnet : input.value("Subnets", json::array())) subnets.push_back({{"SubnetId", subnet}});
    for (const auto& mapping : input.value("SubnetMappings", json::array())) subnets.push_back(mapping);
    json zones = json::array();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < subnets.size(); ++i) {
        const auto id = subnets[i].value("SubnetId", "");
        check_subnet(id);
        if (!seen.insert(id).second) throw validation_error("Subnet '" + id + "' was specified more than once");
        json zone = {{"ZoneName", region + static_cast<char>('a' + static_cast<int>(i % 6))}, {"SubnetId", id}};
        if (subnets[i].contains("PrivateIPv4Address") || subnets[i].contains("AllocationId")) {
            json address;
            if (subnets[i].contains("PrivateIPv4Address")) address["PrivateIPv4Address"] = subnets[i]["PrivateIPv4Address"];
            if (subnets[i].contains("AllocationId")) address["AllocationId"] = subnets[i]["AllocationId"];
            zone["LoadBalancerAddresses"] = json::array({address});
        }
        zones.push_back(std::move(zone));
    }
    return zones;
}

json describe(const store::LoadBalancerRecord& record) {
    json out = json::parse(record.body);
    out["State"] = {{"Code", record.state}};
    if (!record.state_reason.empty()) out["State"]["Reason"] = record.state_reason;
    return out;
}

void save(Elbv2Context& elb, const store::LoadBalancerRecord& record, const json& body) {
    elb.store.load_balancers().update_body(record.arn, body.dump(), record.attributes);
}

}  // namespace

json create_load_balancer(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto name = input.at("Name").get<std::string>();
    check_name(name);
    const auto type = input.value("Type", "application");
    if (type == "gateway")
        throw invalid_configuration("ecsbox serves application and network load balancers, not gateway load "
                                    "balancers: they need GENEVE appliances that a local machine does not run");
    if (input.contains("Subnets") && input.contains("SubnetMappings"))
        throw validation_error("You can specify subnets or subnet mappings, not both");
    const auto scope = scope_of(call);
    const auto scheme = input.value("Scheme", "internet-facing");
    const auto ip_type = input.value("IpAddressType", "ipv4");
    if (ip_type != "ipv4")
        throw validation_error("ecsbox's load balancers listen on IPv4 only; IpAddressType '" + ip_type +
                               "' is not supported");
    const auto zones = availability_zones(call.region, input);
    const auto groups = input.value("SecurityGroups", json::array());
    check_security_groups(groups);

    // Creating a load balancer that exists with the same settings returns it, as ELB does.
    if (const auto existing = elb.store.load_balancers().find_by_name(scope, name)) {
        const auto body = json::parse(existing->body);
        if (body.value("Type", "") == type && body.value("Scheme", "") == scheme)
            return {{"LoadBalancers", json::array({describe(*existing)})}};
        throw AwsError("DuplicateLoadBalancerNameException", "A load balancer with the same name '" + name +
                                                                 "' exists, but with different settings");
    }
    const auto id = elb.ids.hex(16);
    store::LoadBalancerRecord record;
    record.arn = load_balancer_arn(scope, type == "network" ? "net" : "app", name, id);
    record.scope = scope;
    record.name = name;
    record.created_at = elb.clock.now();
    json body = {{"LoadBalancerArn", record.arn},
                 {"DNSName", elb.dns_name},
                 {"CanonicalHostedZoneId", type == "network" ? "Z26RNL4JYFTOTI" : "Z35SXDOTRQ7X7K"},
                 {"CreatedTime", record.created_at},
                 {"LoadBalancerName", name},
                 {"Scheme", scheme},
                 {"VpcId", default_vpc(scope)},
                 {"Type", type},
                 {"AvailabilityZones", zones},
                 {"IpAddressType", ip_type}};
    if (type == "application" || !groups.empty()) body["SecurityGroups"] = groups;
    record.body = body.dump();
    record.attributes = load_balancer_attribute_defaults(type).dump();
    auto tx = elb.store.transaction();
    if (!elb.store.load_balancers().insert(record))
        throw AwsError("DuplicateLoadBalancerNameException", "A load balancer with the same name '" + name + "' exists");
    put_tags(elb, record.arn, input.value("Tags", json::array()));
    tx.commit();
    elb.desired_state_changed();
    return {{"LoadBalancers", json::array({describe(record)})}};
}

json describe_load_balancers(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    std::vector<std::pair<std::string, json>> items;
    if (input.contains("LoadBalancerArns") && input.contains("Names"))
        throw validation_error("Load balancer names and load balancer ARNs cannot be specified at the same time");
    if (input.contains("LoadBalancerArns")) {
        for (const auto& arn : input["LoadBalancerArns"]) {
            check_arn(arn.get<std::string>(), ArnKind::load_balancer);
            const auto record = elb.store.load_balancers().find(arn.get<std::string>());
            if (!record || !(record->scope == scope)) throw load_balancer_not_found();
            items.emplace_back(record->arn, describe(*record));
        }
    } else if (input.contains("Names")) {
        std::vector<std::string> missing;
        for (const auto& name : input["Names"]) {
            const auto record = elb.store.load_balancers().find_by_name(scope, name.get<std::string>());
            if (!record) missing.push_back(name.get<std::string>());
            else items.emplace_back(record->name, describe(*record));
        }
        if (!missing.empty()) {
            std::string list;
            for (const auto& name : missing) list += (list.empty() ? "" : ", ") + name;
            throw load_balancer_not_found("Load balancers '[" + list + "]' not found");
        }
    } else {
        for (const auto& record : elb.store.load_balancers().list(scope)) items.emplace_back(record.name, describe(record));
    }
    // A page resumes after the last key it gave; keys are ordered as the items.
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return page_of(items, input, "LoadBalancers");
}

json delete_load_balancer(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("LoadBalancerArn").get<std::string>();
    check_arn(arn, ArnKind::load_balancer);
    const auto record = elb.store.load_balancers().find(arn);
    // Deleting one that is already gone succeeds, as ELB's does.
    if (!record || !(record->scope == scope_of(call))) return json::object();
    if (json::parse(record->attributes).value("deletion_protection.enabled", "false") == "true")
        throw operation_not_permitted("Load balancer '" + arn +
                                      "' cannot be deleted because deletion protection is enabled");
    auto tx = elb.store.transaction();
    for (const auto& listener : elb.store.load_balancers().listeners(arn)) {
        for (const auto& rule : elb.store.load_balancers().rules(listener.arn)) elb.store.tags().remove_all(rule.arn);
        elb.store.tags().remove_all(listener.arn);
    }
    elb.store.tags().remove_all(arn);
    elb.store.load_balancers().remove(arn);
    tx.commit();
    elb.desired_state_changed();
    return json::object();
}

json describe_load_balancer_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_load_balancer(elb, call, input.at("LoadBalancerArn").get<std::string>());
    const auto values = apply_attributes(json::parse(record.attributes), load_balancer_attribute_defaults(type_of(record)),
                                         json::array());
    return {{"Attributes", attribute_list(values)}};
}

json modify_load_balancer_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_load_balancer(elb, call, input.at("LoadBalancerArn").get<std::string>());
    const auto values = apply_attributes(json::parse(record.attributes), load_balancer_attribute_defaults(type_of(record)),
                                         input.at("Attributes"));
    if (values.value("access_logs.s3.enabled", "false") == "true" ||
        values.value("connection_logs.s3.enabled", "false") == "true")
        throw invalid_configuration("ecsbox does not serve S3, so it cannot write access or connection logs; its "
                                    "balancer logs to ecsbox's own log instead");
    elb.store.load_balancers().update_body(record.arn, record.body, values.dump());
    elb.desired_state_changed();
    return {{"Attributes", attribute_list(values)}};  // all of them, as ELB answers
}

json set_subnets(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_load_balancer(elb, call, input.at("LoadBalancerArn").get<std::string>());
    if (input.contains("Subnets") && input.contains("SubnetMappings"))
        throw validation_error("You can specify subnets or subnet mappings, not both");
    auto body = json::parse(record.body);
    body["AvailabilityZones"] = availability_zones(call.region, input);
    save(elb, record, body);
    return {{"AvailabilityZones", body["AvailabilityZones"]}, {"IpAddressType", body.value("IpAddressType", "ipv4")}};
}

json set_security_groups(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_load_balancer(elb, call, input.at("LoadBalancerArn").get<std::string>());
    const auto groups = input.at("SecurityGroups");
    check_security_groups(groups);
    auto body = json::parse(record.body);
    body["SecurityGroups"] = groups;
    save(elb, record, body);
    return {{"SecurityGroupIds", groups}};
}

json set_ip_address_type(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_load_balancer(elb, call, input.at("LoadBalancerArn").get<std::string>());
    const auto ip_type = input.at("IpAddressType").get<std::string>();
    if (ip_type != "ipv4")
        throw validation_error("ecsbox's load balancers listen on IPv4 only; IpAddressType '" + ip_type +
                               "' is not supported");
    return {{"IpAddressType", ip_type}};
}

json describe_account_limits(Elbv2Context&, const protocol::CallContext&, const json& input) {
    // ELB's default quotas, which deploy tools read before they create.
    json limits = json::array();
    for (const auto& [name, max] : std::vector<std::pair<std::string, std::string>>{
             {"application-load-balancers", "50"},
             {"condition-values-per-alb-rule", "5"},
             {"condition-wildcards-per-alb-rule", "5"},
             {"listeners-per-application-load-balancer", "50"},
             {"listeners-per-network-load-balancer", "50"},
             {"network-load-balancers", "50"},
             {"rules-per-application-load-balancer", "100"},
             {"target-groups", "3000"},
             {"target-groups-per-action-on-application-load-balancer", "5"},
             {"targets-per-application-load-balancer", "1000"},
             {"targets-per-network-load-balancer", "500"}})
        limits.push_back({{"Name", name}, {"Max", max}});
    std::vector<std::pair<std::string, json>> items;
    for (const auto& limit : limits) items.emplace_back(limit["Name"].get<std::string>(), limit);
    return page_of(items, input, "Limits");
}

}  // namespace ecsbox::elbv2

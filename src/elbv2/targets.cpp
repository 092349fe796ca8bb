#include "elbv2/targets.hpp"

#include <arpa/inet.h>
#include <regex>

#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

constexpr std::size_t k_max_targets = 1000;

struct Wanted {
    std::string id;
    int port = 0;
    std::optional<std::string> availability_zone;
};

// The targets a call names, each with its port (the group's when it names none).
std::vector<Wanted> wanted_targets(const json& targets, const json& group) {
    std::vector<Wanted> out;
    for (const auto& target : targets) {
        Wanted wanted{target.value("Id", ""), target.value("Port", group.value("Port", 0)), std::nullopt};
        if (target.contains("AvailabilityZone")) wanted.availability_zone = target["AvailabilityZone"].get<std::string>();
        if (wanted.port < 1 || wanted.port > 65535)
            throw validation_error("Port '" + std::to_string(wanted.port) + "' of target '" + wanted.id +
                                   "' must be from 1 to 65535");
        out.push_back(std::move(wanted));
    }
    return out;
}

void check_target(Elbv2Context& elb, const protocol::CallContext& call, const std::string& type, const Wanted& target) {
    if (type == "ip") {
        in_addr address{};
        if (inet_pton(AF_INET, target.id.c_str(), &address) != 1)
            throw invalid_target("The IP address '" + target.id + "' is not a valid IPv4 address");
        return;
    }
    static const std::regex instance_id("i-([0-9a-f]{8}|[0-9a-f]{17})");
    if (!std::regex_match(target.id, instance_id))
        throw invalid_target("The following targets are not valid instance IDs: '" + target.id + "'");
    if (!elb.store.container_instances().find_by_ec2_instance_id(scope_of(call), target.id))
        throw invalid_target("The following targets are not in a running state and cannot be registered: '" +
                             target.id + "'; the instances ecsbox knows are its container instances "
                             "(their ec2InstanceId)");
}

json description_of(const std::string& id, int port, const std::optional<std::string>& zone) {
    json target = {{"Id", id}, {"Port", port}};
    if (zone) target["AvailabilityZone"] = *zone;
    return target;
}

}  // namespace

json register_targets(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto group = require_target_group(elb, call, input.at("TargetGroupArn").get<std::string>());
    const auto body = json::parse(group.body);
    const auto wanted = wanted_targets(input.at("Targets"), body);
    for (const auto& target : wanted) check_target(elb, call, body.value("TargetType", "instance"), target);
    auto tx = elb.store.transaction();
    for (const auto& target : wanted) {
        store::TargetRecord record;
        record.target_group_arn = group.arn;
        record.id = target.id;
        record.port = target.port;
        record.availability_zone = target.availability_zone;
        record.registered_at = elb.clock.now();
        elb.store.target_groups().register_target(record);
    }
    if (elb.store.target_groups().targets(group.arn).size() > k_max_targets)
        throw AwsError("TooManyTargetsException", "A target group can have at most 1000 targets");
    tx.commit();
    elb.desired_state_changed();
    return json::object();
}

json deregister_targets(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto group = require_target_group(elb, call, input.at("TargetGroupArn").get<std::string>());
    const auto wanted = wanted_targets(input.at("Targets"), json::parse(group.body));
    auto tx = elb.store.transaction();
    // A target that is not registered is no error: as ELB says, the call succeeds.
    for (const auto& target : wanted)
        elb.store.target_groups().deregister_target(group.arn, target.id, target.port, elb.clock.now());
    tx.commit();
    elb.desired_state_changed();
    return json::object();
}

json describe_target_health(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto group = require_target_group(elb, call, input.at("TargetGroupArn").get<std::string>());
    const auto body = json::parse(group.body);
    const bool in_use = !elb.store.load_balancers().forwarding_to(group.arn).empty();
    const auto health_port = body.value("HealthCheckPort", "traffic-port");
    const auto records = elb.store.target_groups().targets(group.arn);
    auto describe = [&](const store::TargetRecord& record) {
        json health = {{"State", record.state}};
        if (!in_use && record.registered) {
            health = {{"State", "unused"},
                      {"Reason", "Target.NotInUse"},
                      {"Description", "Target group is not configured to receive traffic from the load balancer"}};
        } else if (!record.reason.empty()) {
            health["Reason"] = record.reason;
            health["Description"] = record.description;
        }
        return json{{"Target", description_of(record.id, record.port, record.availability_zone)},
                    {"HealthCheckPort", health_port == "traffic-port" ? std::to_string(record.port) : health_port},
                    {"TargetHealth", health}};
    };
    json out = json::array();
    if (!input.contains("Targets")) {
        for (const auto& record : records) out.push_back(describe(record));
        return {{"TargetHealthDescriptions", out}};
    }
    for (const auto& target : wanted_targets(input["Targets"], body)) {
        const auto found = std::find_if(records.begin(), records.end(), [&](const store::TargetRecord& record) {
            return record.id == target.id && record.port == target.port;
        });
        if (found != records.end()) {
            out.push_back(describe(*found));
            continue;
        }
        out.push_back({{"Target", description_of(target.id, target.port, target.availability_zone)},
                       {"HealthCheckPort", health_port == "traffic-port" ? std::to_string(target.port) : health_port},
                       {"TargetHealth",
                        {{"State", "unused"},
                         {"Reason", "Target.NotRegistered"},
                         {"Description", "Target is not registered to the target group"}}}});
    }
    return {{"TargetHealthDescriptions", out}};
}

}  // namespace ecsbox::elbv2

#include "elbv2/target_groups.hpp"

#include <regex>

#include "elbv2/arns.hpp"
#include "elbv2/attributes.hpp"
#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

void check_name(const std::string& name) {
    static const std::regex allowed("[A-Za-z0-9-]+");
    if (name.empty() || name.size() > 32)
        throw validation_error("Target group name '" + name + "' must be from 1 to 32 characters long");
    if (!std::regex_match(name, allowed))
        throw validation_error("Target group name '" + name +
                               "' can only contain characters that are alphanumeric characters or hyphens(-)");
    if (name.front() == '-' || name.back() == '-')
        throw validation_error("Target group name '" + name + "' cannot begin or end with a hyphen(-)");
}

void check_protocol(const std::string& protocol) {
    if (protocol == "HTTP" || protocol == "TCP") return;
    if (protocol == "HTTPS" || protocol == "TLS")
        throw unsupported_protocol("ecsbox's balancer reaches targets over HTTP and TCP; protocol '" + protocol +
                                   "' needs certificates from ACM, which ecsbox does not serve");
    throw unsupported_protocol("ecsbox's balancer reaches targets over HTTP and TCP, not '" + protocol + "'");
}

void check_matcher(const json& matcher) {
    static const std::regex codes("[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*");
    if (matcher.contains("GrpcCode"))
        throw validation_error("ecsbox's target groups check HTTP targets; a GrpcCode matcher needs a GRPC group");
    const auto code = matcher.value("HttpCode", "200");
    if (!std::regex_match(code, codes))
        throw validation_error("Health check matcher HTTP code '" + code +
                               "' must be a code, a range such as 200-299, or a list such as 200,202");
}

// Applies the health check members of a Create or Modify call to `body`, checking them as ELB
// does: TCP groups have no path or matcher, the timeout is below the interval.
void apply_health_check(json& body, const json& input) {
    const bool tcp_group = body["Protocol"] == "TCP";
    if (input.contains("HealthCheckProtocol")) {
        const auto protocol = input["HealthCheckProtocol"].get<std::string>();
        if (protocol != "HTTP" && protocol != "TCP")
            throw unsupported_protocol("ecsbox health checks targets over HTTP or TCP, not '" + protocol + "'");
        if (!tcp_group && protocol == "TCP")
            throw validation_error("Health check protocol 'TCP' is not supported for target groups with protocol 'HTTP'");
        body["HealthCheckProtocol"] = protocol;
    }
    const bool tcp_check = body["HealthCheckProtocol"] == "TCP";
    for (const auto* key : {"HealthCheckPort", "HealthCheckEnabled", "HealthCheckIntervalSeconds",
                            "HealthCheckTimeoutSeconds", "HealthyThresholdCount", "UnhealthyThresholdCount"})
        if (input.contains(key)) body[key] = input[key];
    if (input.contains("HealthCheckPath") || input.contains("Matcher")) {
        if (tcp_check)
            throw validation_error("A health check path and matcher cannot be specified for TCP health checks");
        if (input.contains("HealthCheckPath")) {
            const auto path = input["HealthCheckPath"].get<std::string>();
            if (path.empty() || path[0] != '/') throw validation_error("Health check path must begin with a '/'");
            body["HealthCheckPath"] = path;
        }
        if (input.contains("Matcher")) {
            check_matcher(input["Matcher"]);
            body["Matcher"] = input["Matcher"];
        }
    }
    if (tcp_check) {
        body.erase("HealthCheckPath");
        body.erase("Matcher");
    } else {
        if (!body.contains("HealthCheckPath")) body["HealthCheckPath"] = "/";
        if (!body.contains("Matcher")) body["Matcher"] = {{"HttpCode", "200"}};
    }
    const auto port = body["HealthCheckPort"].get<std::string>();
    static const std::regex digits("[0-9]{1,5}");
    if (port != "traffic-port" && (!std::regex_match(port, digits) || std::stoi(port) < 1 || std::stoi(port) > 65535))
        throw validation_error("Health check port '" + port + "' must be 'traffic-port' or from 1 to 65535");
    if (body["HealthCheckTimeoutSeconds"].get<int>() >= body["HealthCheckIntervalSeconds"].get<int>())
        throw validation_error("Health check timeout '" + body["HealthCheckTimeoutSeconds"].dump() +
                               "' must be smaller than the interval '" + body["HealthCheckIntervalSeconds"].dump() +
                               "'");
}

json describe(Elbv2Context& elb, const store::TargetGroupRecord& record) {
    json out = json::parse(record.body);
    out["LoadBalancerArns"] = elb.store.load_balancers().forwarding_to(record.arn);
    return out;
}

}  // namespace

json create_target_group(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto name = input.at("Name").get<std::string>();
    check_name(name);
    const auto target_type = input.value("TargetType", "instance");
    if (target_type != "instance" && target_type != "ip")
        throw validation_error("ecsbox's target groups hold targets of type 'instance' or 'ip'; type '" +
                               target_type + "' needs " + (target_type == "lambda" ? "AWS Lambda" : "an ALB target") +
                               ", which ecsbox does not serve");
    if (!input.contains("Protocol")) throw validation_error("A target group protocol must be specified");
    if (!input.contains("Port")) throw validation_error("A port must be specified");
    const auto protocol = input["Protocol"].get<std::string>();
    check_protocol(protocol);
    const auto version = input.value("ProtocolVersion", "HTTP1");
    if (protocol == "HTTP" && version != "HTTP1")
        throw validation_error("ecsbox's balancer speaks HTTP/1.1 to targets; protocol version '" + version +
                               "' is not supported");
    if (protocol == "TCP" && input.contains("ProtocolVersion"))
        throw validation_error("A protocol version can only be specified for HTTP and HTTPS target groups");
    if (input.value("IpAddressType", "ipv4") != "ipv4")
        throw validation_error("ecsbox's target groups reach targets over IPv4 only");
    const auto scope = scope_of(call);
    const bool tcp = protocol == "TCP";
    json body = {{"TargetGroupName", name},
                 {"Protocol", protocol},
                 {"Port", input["Port"]},
                 {"VpcId", input.value("VpcId", default_vpc(scope))},
                 {"HealthCheckProtocol", tcp ? "TCP" : "HTTP"},
                 {"HealthCheckPort", "traffic-port"},
                 {"HealthCheckEnabled", true},
                 {"HealthCheckIntervalSeconds", 30},
                 {"HealthCheckTimeoutSeconds", tcp ? 10 : 5},
                 {"HealthyThresholdCount", 5},
                 {"UnhealthyThresholdCount", 2},
                 {"TargetType", target_type},
                 {"IpAddressType", "ipv4"}};
    if (!tcp) body["ProtocolVersion"] = version;
    if (!input.value("HealthCheckEnabled", true) && target_type != "lambda")
        throw validation_error("Health checks cannot be disabled for target groups with target type '" + target_type +
                               "'");
    apply_health_check(body, input);

    if (const auto existing = elb.store.target_groups().find_by_name(scope, name)) {
        auto same = json::parse(existing->body);
        same.erase("TargetGroupArn");
        if (same == body) return {{"TargetGroups", json::array({describe(elb, *existing)})}};
        throw AwsError("DuplicateTargetGroupNameException",
                       "A target group with the same name '" + name + "' exists, but with different settings");
    }
    store::TargetGroupRecord record;
    record.arn = target_group_arn(scope, name, elb.ids.hex(16));
    record.scope = scope;
    record.name = name;
    record.created_at = elb.clock.now();
    body["TargetGroupArn"] = record.arn;
    record.body = body.dump();
    record.attributes = target_group_attribute_defaults(protocol, target_type).dump();
    auto tx = elb.store.transaction();
    if (!elb.store.target_groups().insert(record))
        throw AwsError("DuplicateTargetGroupNameException", "A target group with the same name '" + name + "' exists");
    put_tags(elb, record.arn, input.value("Tags", json::array()));
    tx.commit();
    return {{"TargetGroups", json::array({describe(elb, record)})}};
}

json describe_target_groups(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const int filters = input.contains("LoadBalancerArn") + input.contains("TargetGroupArns") + input.contains("Names");
    if (filters > 1)
        throw validation_error("A load balancer ARN, target group ARNs and target group names cannot be combined");
    std::vector<std::pair<std::string, json>> items;
    if (input.contains("TargetGroupArns")) {
        for (const auto& arn : input["TargetGroupArns"]) {
            check_arn(arn.get<std::string>(), ArnKind::target_group);
            const auto record = elb.store.target_groups().find(arn.get<std::string>());
            if (!record || !(record->scope == scope)) throw target_group_not_found();
            items.emplace_back(record->arn, describe(elb, *record));
        }
    } else if (input.contains("Names")) {
        for (const auto& name : input["Names"]) {
            const auto record = elb.store.target_groups().find_by_name(scope, name.get<std::string>());
            if (!record) throw target_group_not_found();
            items.emplace_back(record->name, describe(elb, *record));
        }
    } else {
        std::optional<std::string> load_balancer;
        if (input.contains("LoadBalancerArn"))
            load_balancer = require_load_balancer(elb, call, input["LoadBalancerArn"].get<std::string>()).arn;
        for (const auto& record : elb.store.target_groups().list(scope)) {
            auto out = describe(elb, record);
            if (load_balancer) {
                const auto& users = out["LoadBalancerArns"];
                if (std::find(users.begin(), users.end(), *load_balancer) == users.end()) continue;
            }
            items.emplace_back(record.name, std::move(out));
        }
    }
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return page_of(items, input, "TargetGroups");
}

json modify_target_group(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_target_group(elb, call, input.at("TargetGroupArn").get<std::string>());
    auto body = json::parse(record.body);
    if (input.contains("HealthCheckEnabled") && !input["HealthCheckEnabled"].get<bool>())
        throw validation_error("Health checks cannot be disabled for target groups with target type '" +
                               body.value("TargetType", "instance") + "'");
    apply_health_check(body, input);
    elb.store.target_groups().update(record.arn, body.dump(), record.attributes);
    elb.desired_state_changed();
    auto updated = record;
    updated.body = body.dump();
    return {{"TargetGroups", json::array({describe(elb, updated)})}};
}

json delete_target_group(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("TargetGroupArn").get<std::string>();
    check_arn(arn, ArnKind::target_group);
    const auto record = elb.store.target_groups().find(arn);
    if (!record || !(record->scope == scope_of(call))) return json::object();  // already gone: ELB succeeds too
    if (!elb.store.load_balancers().forwarding_to(arn).empty())
        throw AwsError("ResourceInUseException", "Target group '" + arn + "' is currently in use by a listener or a rule");
    auto tx = elb.store.transaction();
    elb.store.tags().remove_all(arn);
    elb.store.target_groups().remove(arn);
    tx.commit();
    elb.desired_state_changed();
    return json::object();
}

json describe_target_group_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_target_group(elb, call, input.at("TargetGroupArn").get<std::string>());
    const auto body = json::parse(record.body);
    const auto defaults = target_group_attribute_defaults(body["Protocol"], body["TargetType"]);
    return {{"Attributes", attribute_list(apply_attributes(json::parse(record.attributes), defaults, json::array()))}};
}

json modify_target_group_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_target_group(elb, call, input.at("TargetGroupArn").get<std::string>());
    const auto body = json::parse(record.body);
    const auto defaults = target_group_attribute_defaults(body["Protocol"], body["TargetType"]);
    const auto values = apply_attributes(json::parse(record.attributes), defaults, input.at("Attributes"));
    if (values.value("stickiness.enabled", "false") == "true")
        throw invalid_configuration("ecsbox's balancer does not keep clients on one target yet; stickiness cannot be "
                                    "enabled");
    if (values.value("slow_start.duration_seconds", "0") != "0")
        throw invalid_configuration("ecsbox's balancer gives a new target its full share at once; slow start is not "
                                    "supported");
    if (values.value("proxy_protocol_v2.enabled", "false") == "true")
        throw invalid_configuration("ecsbox's balancer does not send proxy protocol headers");
    elb.store.target_groups().update(record.arn, record.body, values.dump());
    elb.desired_state_changed();
    return {{"Attributes", attribute_list(values)}};  // all of them, as ELB answers
}

}  // namespace ecsbox::elbv2

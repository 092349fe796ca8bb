#include "elbv2/listeners.hpp"

#include "elbv2/actions.hpp"
#include "elbv2/arns.hpp"
#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

constexpr std::size_t k_max_listeners = 50;

void check_protocol(const std::string& protocol, const std::string& type) {
    const auto expected = type == "network" ? "TCP" : "HTTP";
    if (protocol == expected) return;
    if (protocol == "HTTPS" || protocol == "TLS")
        throw unsupported_protocol("ecsbox's listeners serve HTTP and TCP; protocol '" + protocol +
                                   "' needs certificates from ACM, which ecsbox does not serve");
    throw unsupported_protocol("Protocol '" + protocol + "' is not supported for load balancers of type '" + type +
                               "'; ecsbox serves " + expected + " listeners on them");
}

void check_port(const json& port) {
    const auto value = port.get<int>();
    if (value < 1 || value > 65535) throw validation_error("Listener port '" + std::to_string(value) + "' must be from 1 to 65535");
}

store::RuleRecord default_rule(Elbv2Context& elb, const std::string& listener_arn) {
    const auto rules = elb.store.load_balancers().rules(listener_arn);
    return rules.back();  // the default rule orders last
}

}  // namespace

json listener_json(Elbv2Context& elb, const store::ListenerRecord& record) {
    json out = json::parse(record.body);
    if (record.local_port != 0) out["Port"] = record.local_port;
    out["DefaultActions"] = json::parse(default_rule(elb, record.arn).body)["Actions"];
    return out;
}

json create_listener(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto load_balancer = require_load_balancer(elb, call, input.at("LoadBalancerArn").get<std::string>());
    const auto type = type_of(load_balancer);
    if (!input.contains("Protocol")) throw validation_error("A listener protocol must be specified");
    const auto protocol = input["Protocol"].get<std::string>();
    check_protocol(protocol, type);
    if (!input.contains("Port")) throw validation_error("A listener port must be specified");
    check_port(input["Port"]);
    if (input.contains("Certificates") || input.contains("SslPolicy"))
        throw validation_error("Certificates and SSL policies are for HTTPS and TLS listeners");
    const auto port = input["Port"].get<int>();
    const auto scope = scope_of(call);
    auto checked = check_actions(elb, scope, input.at("DefaultActions"), protocol, load_balancer.arn);

    // Creating a listener that exists with the same settings returns it, as ELB does.
    for (const auto& existing : elb.store.load_balancers().listeners(load_balancer.arn)) {
        if (existing.port != port) continue;
        auto described = listener_json(elb, existing);
        if (described.value("Protocol", "") == protocol && described["DefaultActions"] == checked.actions)
            return {{"Listeners", json::array({described})}};
        throw AwsError("DuplicateListenerException", "A listener already exists on port " + std::to_string(port) +
                                                         " of load balancer '" + load_balancer.arn + "'");
    }
    if (elb.store.load_balancers().listeners(load_balancer.arn).size() >= k_max_listeners)
        throw AwsError("TooManyListenersException", "A load balancer can have at most 50 listeners");
    store::ListenerRecord record;
    record.arn = listener_arn(load_balancer.arn, elb.ids.hex(16));
    record.load_balancer_arn = load_balancer.arn;
    record.port = port;
    record.created_at = elb.clock.now();
    record.body = json{{"ListenerArn", record.arn},
                       {"LoadBalancerArn", load_balancer.arn},
                       {"Port", port},
                       {"Protocol", protocol}}
                      .dump();
    store::RuleRecord rule;
    rule.arn = rule_arn(record.arn, elb.ids.hex(16));
    rule.listener_arn = record.arn;
    rule.created_at = record.created_at;
    rule.body = json{{"RuleArn", rule.arn}, {"Conditions", json::array()}, {"Actions", checked.actions}}.dump();
    rule.target_groups = checked.target_groups;
    auto tx = elb.store.transaction();
    if (!elb.store.load_balancers().insert_listener(record))
        throw AwsError("DuplicateListenerException", "A listener already exists on port " + std::to_string(port) +
                                                         " of load balancer '" + load_balancer.arn + "'");
    elb.store.load_balancers().put_rule(rule);
    put_tags(elb, record.arn, input.value("Tags", json::array()));
    tx.commit();
    elb.desired_state_changed();
    return {{"Listeners", json::array({listener_json(elb, record)})}};
}

json describe_listeners(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    if (input.contains("LoadBalancerArn") == input.contains("ListenerArns"))
        throw validation_error("You must specify either listener ARNs or a load balancer ARN");
    std::vector<std::pair<std::string, json>> items;
    if (input.contains("ListenerArns")) {
        for (const auto& arn : input["ListenerArns"]) {
            const auto record = require_listener(elb, call, arn.get<std::string>());
            items.emplace_back(record.arn, listener_json(elb, record));
        }
    } else {
        const auto load_balancer = require_load_balancer(elb, call, input["LoadBalancerArn"].get<std::string>());
        for (const auto& record : elb.store.load_balancers().listeners(load_balancer.arn))
            items.emplace_back(record.arn, listener_json(elb, record));
    }
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return page_of(items, input, "Listeners");
}

json modify_listener(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    auto record = require_listener(elb, call, input.at("ListenerArn").get<std::string>());
    const auto load_balancer = require_load_balancer(elb, call, record.load_balancer_arn);
    auto body = json::parse(record.body);
    if (input.contains("Protocol")) {
        check_protocol(input["Protocol"].get<std::string>(), type_of(load_balancer));
        body["Protocol"] = input["Protocol"];
    }
    if (input.contains("Certificates") || input.contains("SslPolicy"))
        throw validation_error("Certificates and SSL policies are for HTTPS and TLS listeners");
    auto tx = elb.store.transaction();
    if (input.contains("Port")) {
        check_port(input["Port"]);
        if (input["Port"].get<int>() != record.port) record.local_port = 0;  // listens anew
        record.port = input["Port"].get<int>();
        body["Port"] = record.port;
    }
    record.body = body.dump();
    if (!elb.store.load_balancers().update_listener(record))
        throw AwsError("DuplicateListenerException", "A listener already exists on port " +
                                                         std::to_string(record.port) + " of load balancer '" +
                                                         load_balancer.arn + "'");
    elb.store.load_balancers().set_local_port(record.arn, record.local_port);
    auto rule = default_rule(elb, record.arn);
    if (input.contains("DefaultActions") || input.contains("Protocol")) {
        const auto actions = input.contains("DefaultActions") ? input["DefaultActions"] : json::parse(rule.body)["Actions"];
        auto checked = check_actions(elb, scope_of(call), actions, body["Protocol"], load_balancer.arn);
        auto rule_body = json::parse(rule.body);
        rule_body["Actions"] = checked.actions;
        rule.body = rule_body.dump();
        rule.target_groups = checked.target_groups;
        elb.store.load_balancers().put_rule(rule);
    }
    tx.commit();
    elb.desired_state_changed();
    return {{"Listeners", json::array({listener_json(elb, record)})}};
}

json delete_listener(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_listener(elb, call, input.at("ListenerArn").get<std::string>());
    auto tx = elb.store.transaction();
    for (const auto& rule : elb.store.load_balancers().rules(record.arn)) elb.store.tags().remove_all(rule.arn);
    elb.store.tags().remove_all(record.arn);
    elb.store.load_balancers().remove_listener(record.arn);
    tx.commit();
    elb.desired_state_changed();
    return json::object();
}

json describe_listener_attributes(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto record = require_listener(elb, call, input.at("ListenerArn").get<std::string>());
    // Listener attributes only exist for TCP listeners (their idle timeout) and HTTPS ones.
    json attributes = json::array();
    if (json::parse(record.body).value("Protocol", "") == "TCP")
        attributes.push_back({{"Key", "tcp.idle_timeout.seconds"}, {"Value", "350"}});
    return {{"Attributes", attributes}};
}

}  // namespace ecsbox::elbv2

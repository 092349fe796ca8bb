#include "elbv2/rules.hpp"

#include <set>

#include "elbv2/actions.hpp"
#include "elbv2/arns.hpp"
#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

constexpr std::size_t k_max_rules = 100;

int check_priority(const json& priority) {
    const auto value = priority.get<int>();
    if (value < 1 || value > 50000)
        throw validation_error("Rule priority '" + std::to_string(value) + "' must be from 1 to 50000");
    return value;
}

AwsError priority_in_use(int priority) {
    return {"PriorityInUseException", "Priority '" + std::to_string(priority) + "' is currently in use"};
}

json rule_json(const store::RuleRecord& record) {
    json out = json::parse(record.body);
    out["Priority"] = record.priority ? std::to_string(*record.priority) : "default";
    out["IsDefault"] = !record.priority;
    return out;
}

// The listener a rule belongs to, and its protocol, which actions must match.
std::pair<store::ListenerRecord, std::string> listener_of(Elbv2Context& elb, const protocol::CallContext& call,
                                                          const std::string& listener_arn) {
    auto listener = require_listener(elb, call, listener_arn);
    const auto protocol = json::parse(listener.body).value("Protocol", "");
    if (protocol != "HTTP")
        throw validation_error("Rules can only be created on listeners of application load balancers; listener '" +
                               listener_arn + "' has protocol '" + protocol + "'");
    return {std::move(listener), protocol};
}

}  // namespace

json create_rule(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto [listener, protocol] = listener_of(elb, call, input.at("ListenerArn").get<std::string>());
    const auto priority = check_priority(input.at("Priority"));
    if (input.contains("Transforms")) throw validation_error("ecsbox does not rewrite requests; rule transforms are not supported");
    const auto conditions = check_conditions(input.at("Conditions"));
    if (conditions.empty()) throw validation_error("A rule must have at least one condition");
    auto checked = check_actions(elb, scope_of(call), input.at("Actions"), protocol, listener.load_balancer_arn);
    if (elb.store.load_balancers().rules(listener.arn).size() > k_max_rules)
        throw AwsError("TooManyRulesException", "A listener can have at most 100 rules besides its default rule");
    store::RuleRecord rule;
    rule.arn = rule_arn(listener.arn, elb.ids.hex(16));
    rule.listener_arn = listener.arn;
    rule.priority = priority;
    rule.created_at = elb.clock.now();
    rule.body = json{{"RuleArn", rule.arn}, {"Conditions", conditions}, {"Actions", checked.actions}}.dump();
    rule.target_groups = checked.target_groups;
    auto tx = elb.store.transaction();
    if (!elb.store.load_balancers().put_rule(rule)) throw priority_in_use(priority);
    put_tags(elb, rule.arn, input.value("Tags", json::array()));
    tx.commit();
    elb.desired_state_changed();
    return {{"Rules", json::array({rule_json(rule)})}};
}

json describe_rules(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    if (input.contains("ListenerArn") == input.contains("RuleArns"))
        throw validation_error("You must specify either listener ARN or rule ARNs");
    std::vector<std::pair<std::string, json>> items;
    if (input.contains("RuleArns")) {
        for (const auto& arn : input["RuleArns"]) {
            const auto rule = require_rule(elb, call, arn.get<std::string>());
            items.emplace_back(rule.arn, rule_json(rule));
        }
        std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    } else {
        const auto listener = require_listener(elb, call, input["ListenerArn"].get<std::string>());
        // By priority, the default rule last; the page key keeps that order.
        for (const auto& rule : elb.store.load_balancers().rules(listener.arn)) {
            char key[16];
            std::snprintf(key, sizeof key, "%06d", rule.priority.value_or(999999));
            items.emplace_back(key, rule_json(rule));
        }
    }
    return page_of(items, input, "Rules");
}

json modify_rule(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    auto rule = require_rule(elb, call, input.at("RuleArn").get<std::string>());
    const auto listener = require_listener(elb, call, rule.listener_arn);
    const auto protocol = json::parse(listener.body).value("Protocol", "");
    if (input.contains("Transforms")) throw validation_error("ecsbox does not rewrite requests; rule transforms are not supported");
    auto body = json::parse(rule.body);
    if (input.contains("Conditions")) {
        if (!rule.priority) throw operation_not_permitted("The default rule of a listener cannot have conditions");
        body["Conditions"] = check_conditions(input["Conditions"]);
        if (body["Conditions"].empty()) throw validation_error("A rule must have at least one condition");
    }
    if (input.contains("Actions")) {
        auto checked = check_actions(elb, scope_of(call), input["Actions"], protocol, listener.load_balancer_arn);
        body["Actions"] = checked.actions;
        rule.target_groups = checked.target_groups;
    }
    rule.body = body.dump();
    elb.store.load_balancers().put_rule(rule);
    elb.desired_state_changed();
    return {{"Rules", json::array({rule_json(rule)})}};
}

json delete_rule(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto rule = require_rule(elb, call, input.at("RuleArn").get<std::string>());
    if (!rule.priority) throw operation_not_permitted("A listener's default rule cannot be deleted");
    auto tx = elb.store.transaction();
    elb.store.tags().remove_all(rule.arn);
    elb.store.load_balancers().remove_rule(rule.arn);
    tx.commit();
    elb.desired_state_changed();
    return json::object();
}

json set_rule_priorities(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    std::vector<store::RuleRecord> rules;
    std::set<std::pair<std::string, int>> wanted;
    for (const auto& pair : input.at("RulePriorities")) {
        auto rule = require_rule(elb, call, pair.value("RuleArn", ""));
        if (!rule.priority) throw operation_not_permitted("The priority of a listener's default rule cannot be changed");
        if (!pair.contains("Priority")) throw validation_error("A priority must be specified for rule '" + rule.arn + "'");
        rule.priority = check_priority(pair["Priority"]);
        if (!wanted.emplace(rule.listener_arn, *rule.priority).second) throw priority_in_use(*rule.priority);
        rules.push_back(std::move(rule));
    }
    // All at once: rules may swap priorities, so each moves aside before any takes its new one.
    auto tx = elb.store.transaction();
    for (auto rule : rules) {
        rule.priority = std::nullopt;
        elb.store.load_balancers().put_rule(rule);
    }
    json out = json::array();
    for (const auto& rule : rules) {
        if (!elb.store.load_balancers().put_rule(rule)) throw priority_in_use(*rule.priority);
        out.push_back(rule_json(rule));
    }
    tx.commit();
    elb.desired_state_changed();
    return {{"Rules", out}};
}

}  // namespace ecsbox::elbv2

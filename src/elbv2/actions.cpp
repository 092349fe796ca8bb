#include "elbv2/actions.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

constexpr std::size_t k_max_condition_values = 5;

const std::set<std::string> k_content_types = {"text/plain", "text/css", "text/html", "application/javascript",
                                               "application/json"};

json check_forward(Elbv2Context& elb, const store::Scope& scope, const json& action, const std::string& protocol,
                   const std::string& load_balancer_arn, CheckedActions& checked) {
    json groups = json::array();
    if (action.contains("ForwardConfig") && action["ForwardConfig"].contains("TargetGroups"))
        groups = action["ForwardConfig"]["TargetGroups"];
    if (action.contains("TargetGroupArn")) {
        const auto arn = action["TargetGroupArn"].get<std::string>();
        if (!groups.empty() && !(groups.size() == 1 && groups[0].value("TargetGroupArn", "") == arn))
            throw validation_error("You cannot specify both a target group ARN and a target group list that differs "
                                   "from it in a forward action");
        if (groups.empty()) groups = json::array({{{"TargetGroupArn", arn}}});
    }
    if (groups.empty()) throw validation_error("A target group ARN must be specified in a forward action");
    if (groups.size() > 5) throw validation_error("A forward action can have at most 5 target groups");
    json forwarded = json::array();
    for (auto group : groups) {
        const auto arn = group.value("TargetGroupArn", "");
        check_arn(arn, ArnKind::target_group);
        const auto record = elb.store.target_groups().find(arn);
        if (!record || !(record->scope == scope)) throw target_group_not_found("Target groups '" + arn + "' not found");
        if (std::find(checked.target_groups.begin(), checked.target_groups.end(), arn) != checked.target_groups.end())
            throw validation_error("Target group '" + arn + "' cannot be specified more than once in an action");
        const auto body = json::parse(record->body);
        const auto group_protocol = body.value("Protocol", "");
        if (group_protocol != protocol)
            throw incompatible_protocols("Listener protocol '" + protocol + "' is not compatible with target group '" +
                                         arn + "' of protocol '" + group_protocol + "'");
        for (const auto& user : elb.store.load_balancers().forwarding_to(arn))
            if (user != load_balancer_arn)
                throw AwsError("TargetGroupAssociationLimitException",
                               "The following target groups cannot be associated with more than one load balancer: " +
                                   arn);
        checked.target_groups.push_back(arn);
        group["Weight"] = group.value("Weight", 1);
        forwarded.push_back(group);
    }
    json out = {{"Type", "forward"}};
    if (forwarded.size() == 1) out["TargetGroupArn"] = forwarded[0]["TargetGroupArn"];
    json stickiness = {{"Enabled", false}};
    if (action.contains("ForwardConfig") && action["ForwardConfig"].contains("TargetGroupStickinessConfig")) {
        stickiness = action["ForwardConfig"]["TargetGroupStickinessConfig"];
        if (stickiness.value("Enabled", false))
            throw invalid_configuration("ecsbox's balancer does not keep clients on one target group yet; "
                                        "target group stickiness cannot be enabled");
    }
    out["ForwardConfig"] = {{"TargetGroups", forwarded}, {"TargetGroupStickinessConfig", stickiness}};
    return out;
}

json check_fixed_response(const json& action) {
    if (!action.contains("FixedResponseConfig"))
        throw validation_error("A fixed response configuration must be specified in a fixed-response action");
    auto config = action["FixedResponseConfig"];
    static const std::regex status("[245][0-9][0-9]");
    if (!std::regex_match(config.value("StatusCode", ""), status))
        throw validation_error("The fixed response status code must be 2XX, 4XX or 5XX");
    if (config.contains("ContentType") && !k_content_types.count(config["ContentType"].get<std::string>()))
        throw validation_error("The fixed response content type must be one of text/plain, text/css, text/html, "
                               "application/javascript and application/json");
    return {{"Type", "fixed-response"}, {"FixedResponseConfig", config}};
}

json check_redirect(const json& action) {
    if (!action.contains("RedirectConfig"))
        throw validation_error("A redirect configuration must be specified in a redirect action");
    auto config = action["RedirectConfig"];
    const auto protocol = config.value("Protocol", "#{protocol}");
    if (protocol != "#{protocol}" && protocol != "HTTP" && protocol != "HTTPS")
        throw validation_error("The redirect protocol must be HTTP, HTTPS or #{protocol}");
    const auto path = config.value("Path", "/#{path}");
    if (path.empty() || path[0] != '/') throw validation_error("The redirect path must start with a '/'");
    config["Protocol"] = protocol;
    config["Port"] = config.value("Port", "#{port}");
    config["Host"] = config.value("Host", "#{host}");
    config["Path"] = path;
    config["Query"] = config.value("Query", "#{query}");
    if (config["Protocol"] == "#{protocol}" && config["Port"] == "#{port}" && config["Host"] == "#{host}" &&
        config["Path"] == "/#{path}" && config["Query"] == "#{query}")
        throw validation_error("A redirect must change at least one of the protocol, port, host, path or query, so "
                               "that it does not redirect to itself");
    return {{"Type", "redirect"}, {"RedirectConfig", config}};
}

}  // namespace

CheckedActions check_actions(Elbv2Context& elb, const store::Scope& scope, const json& actions,
                             const std::string& protocol, const std::string& load_balancer_arn) {
    if (actions.empty()) throw validation_error("At least one action must be specified");
    // Actions run by Order (given, or their place in the list); the last one must end the
    // request, and only authentication actions, which ecsbox does not serve, could come before.
    std::vector<std::pair<long, json>> ordered;
    std::set<long> orders;
    for (std::size_t i = 0; i < actions.size(); ++i) {
        const auto order = actions[i].value("Order", static_cast<long>(i + 1));
        if (!orders.insert(order).second) throw validation_error("Each action must have a unique order");
        ordered.emplace_back(order, actions[i]);
    }
    std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (ordered.size() > 1)
        throw AwsError("TooManyActionsException",
                       "Only one action can be given unless the others are authenticate actions, which ecsbox does "
                       "not support");
    CheckedActions checked;
    for (const auto& [order, action] : ordered) {
        const auto type = action.value("Type", "");
        json out;
        if (type == "forward") {
            out = check_forward(elb, scope, action, protocol, load_balancer_arn, checked);
        } else if (protocol == "TCP") {
            throw invalid_action("Action type '" + type + "' is not supported for listeners with protocol 'TCP'");
        } else if (type == "fixed-response") {
            out = check_fixed_response(action);
        } else if (type == "redirect") {
            out = check_redirect(action);
        } else {
            throw invalid_action("Action type '" + type +
                                 "' is not supported by ecsbox: authentication needs an identity provider that a "
                                 "local machine does not have, and jwt-validation one's keys");
        }
        if (action.contains("Order")) out["Order"] = order;
        checked.actions.push_back(std::move(out));
    }
    return checked;
}

json check_conditions(const json& conditions) {
    static const std::set<std::string> fields = {"path-pattern", "host-header", "http-header",
                                                 "http-request-method", "query-string", "source-ip"};
    static const std::map<std::string, std::string> configs = {
        {"path-pattern", "PathPatternConfig"},           {"host-header", "HostHeaderConfig"},
        {"http-header", "HttpHeaderConfig"},             {"http-request-method", "HttpRequestMethodConfig"},
        {"query-string", "QueryStringConfig"},           {"source-ip", "SourceIpConfig"}};
    json out = json::array();
    std::size_t values = 0;
    std::set<std::string> seen;
    for (const auto& condition : conditions) {
        const auto field = condition.value("Field", "");
        if (!fields.count(field))
            throw validation_error("Condition field '" + field + "' must be one of [path-pattern, host-header, "
                                   "http-header, http-request-method, query-string, source-ip]");
        const auto& config_name = configs.at(field);
        if (condition.contains("RegexValues") ||
            (condition.contains(config_name) && condition[config_name].contains("RegexValues")))
            throw validation_error("Regular expression conditions are not supported by ecsbox; use wildcards");
        const bool legacy = condition.contains("Values");
        if (legacy && condition.contains(config_name))
            throw validation_error("You cannot specify both Values and " + config_name + " for condition '" + field +
                                   "'");
        if (legacy && field != "path-pattern" && field != "host-header")
            throw validation_error("Values can only be specified for path-pattern and host-header conditions; use " +
                                   config_name + " for '" + field + "'");
        if (!legacy && !condition.contains(config_name))
            throw validation_error("A " + config_name + " must be specified for condition '" + field + "'");
        if (field != "http-header" && !seen.insert(field).second)
            throw validation_error("A rule can only have one '" + field + "' condition");
        json config = legacy ? json{{"Values", condition["Values"]}} : condition[config_name];
        if (field == "http-header" && config.value("HttpHeaderName", "").empty())
            throw validation_error("An HTTP header name must be specified for condition 'http-header'");
        const auto& list = config.value("Values", json::array());
        if (list.empty()) throw validation_error("At least one value must be specified for condition '" + field + "'");
        values += list.size();
        json written = {{"Field", field}, {config_name, config}};
        if (field == "path-pattern" || field == "host-header") written["Values"] = list;
        out.push_back(std::move(written));
    }
    if (values > k_max_condition_values)
        throw validation_error("A rule can have at most " + std::to_string(k_max_condition_values) +
                               " condition values");
    return out;
}

}  // namespace ecsbox::elbv2

#include "ecs/account_settings.hpp"

#include <algorithm>
#include <regex>

#include "ecs/errors.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecs {

namespace {

struct SettingRule {
    std::string_view name;
    std::string_view default_value;
    std::vector<std::string_view> allowed;
};

// ECS's defaults for an account that never changed a setting, and the values each accepts.
const std::vector<SettingRule> k_rules = {
    {"awsvpcTrunking", "disabled", {"enabled", "disabled"}},
    {"containerInsights", "disabled", {"enabled", "disabled", "enhanced"}},
    {"containerInstanceLongArnFormat", "enabled", {"enabled", "disabled"}},
    {"defaultLogDriverMode", "non-blocking", {"blocking", "non-blocking"}},
    {"fargateEventWindows", "disabled", {"enabled", "disabled"}},
    {"fargateFIPSMode", "disabled", {"enabled", "disabled"}},
    {"fargateTaskRetirementWaitPeriod", "7", {"0", "7", "14"}},
    {"guardDutyActivate", "off", {"on", "off"}},
    {"serviceLongArnFormat", "enabled", {"enabled", "disabled"}},
    {"tagResourceAuthorization", "on", {"on", "off"}},
    {"taskLongArnFormat", "enabled", {"enabled", "disabled"}},
};

constexpr protocol::PageLimits k_list_limits{10, 10};

const SettingRule& rule_for(const std::string& name) {
    const auto it = std::find_if(k_rules.begin(), k_rules.end(), [&](const SettingRule& r) { return r.name == name; });
    if (it == k_rules.end()) throw invalid_parameter("Unknown account setting name: " + name);
    return *it;
}

void check_value(const std::string& name, const std::string& value) {
    const auto& rule = rule_for(name);
    if (std::find(rule.allowed.begin(), rule.allowed.end(), value) != rule.allowed.end()) return;
    std::string allowed;
    for (const auto v : rule.allowed) allowed += (allowed.empty() ? "" : ", ") + std::string(v);
    throw invalid_parameter("Invalid value '" + value + "' for setting " + name + ". Valid values: " + allowed + ".");
}

std::string principal_of(const protocol::CallContext& call, const json& input) {
    const auto principal = input.value("principalArn", root_principal(call));
    static const std::regex k_iam_principal(R"(arn:aws:iam::\d{12}:(root|user/.+|role/.+))");
    if (!std::regex_match(principal, k_iam_principal))
        throw invalid_parameter("principalArn must be the ARN of an IAM user, an IAM role or the root user: '" +
                                principal + "'.");
    return principal;
}

json setting_json(const std::string& name, const std::string& value, const std::string& principal) {
    return {{"name", name}, {"value", value}, {"principalArn", principal}, {"type", "user"}};
}

json put_setting(EcsContext& ecs, const protocol::CallContext& call, const std::string& principal, const json& input) {
    const auto name = input.at("name").get<std::string>();
    const auto value = input.at("value").get<std::string>();
    check_value(name, value);
    ecs.store.account_settings().put(scope_of(call), {principal, name, value});
    return {{"setting", setting_json(name, value, principal)}};
}

}  // namespace

std::string effective_setting(EcsContext& ecs, const protocol::CallContext& call, const std::string& principal_arn,
                              const std::string& name) {
    auto& settings = ecs.store.account_settings();
    const auto scope = scope_of(call);
    if (auto own = settings.find(scope, principal_arn, name)) return own->value;
    if (auto account_default = settings.find(scope, root_principal(call), name)) return account_default->value;
    return std::string(rule_for(name).default_value);
}

json put_account_setting(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    return put_setting(ecs, call, principal_of(call, input), input);
}

json put_account_setting_default(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    return put_setting(ecs, call, root_principal(call), input);
}

json delete_account_setting(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto name = input.at("name").get<std::string>();
    rule_for(name);
    const auto principal = principal_of(call, input);
    const auto scope = scope_of(call);
    auto tx = ecs.store.transaction();
    const auto existing = ecs.store.account_settings().find(scope, principal, name);
    if (!existing)
        throw invalid_parameter("The account setting " + name + " is not set for principal " + principal + ".");
    ecs.store.account_settings().remove(scope, principal, name);
    tx.commit();
    return {{"setting", setting_json(name, existing->value, principal)}};
}

json list_account_settings(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto principal = principal_of(call, input);
    const auto only_name = input.value("name", std::string());
    const auto only_value = input.value("value", std::string());
    const bool effective = input.value("effectiveSettings", false);
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto after = page.after && page.after->is_string() ? page.after->get<std::string>() : std::string();

    // (name, value) pairs in name order: the principal's own settings, or with effectiveSettings
    // every setting as it applies to the principal.
    std::vector<std::pair<std::string, std::string>> rows;
    if (effective) {
        for (const auto& rule : k_rules)
            rows.emplace_back(rule.name, effective_setting(ecs, call, principal, std::string(rule.name)));
    } else {
        for (auto& record : ecs.store.account_settings().list(scope_of(call), principal))
            rows.emplace_back(std::move(record.name), std::move(record.value));
    }

    json out = {{"settings", json::array()}};
    std::string last;
    for (const auto& [name, value] : rows) {
        if (name <= after && !after.empty()) continue;
        if ((!only_name.empty() && name != only_name) || (!only_value.empty() && value != only_value)) continue;
        if (out["settings"].size() == page.limit) {
            out["nextToken"] = protocol::encode_page_token(last);
            break;
        }
        out["settings"].push_back(setting_json(name, value, principal));
        last = name;
    }
    return out;
}

}  // namespace ecsbox::ecs

#include "elbv2/resources.hpp"

#include <set>

#include "elbv2/arns.hpp"
#include "elbv2/errors.hpp"
#include "protocol/pagination.hpp"
#include "util/sha256.hpp"

namespace ecsbox::elbv2 {

namespace {

constexpr protocol::PageLimits k_page_limits{400, 400};
constexpr std::size_t k_max_tags = 50;

bool in_scope(const protocol::CallContext& call, const store::Scope& scope) { return scope == scope_of(call); }

const char* kind_name(ArnKind kind) {
    switch (kind) {
        case ArnKind::load_balancer: return "load balancer";
        case ArnKind::listener: return "listener";
        case ArnKind::rule: return "listener rule";
        case ArnKind::target_group: return "target group";
    }
    return "resource";
}

}  // namespace

void check_arn(const std::string& arn, ArnKind kind) {
    const auto parsed = parse_arn(arn);
    if (!parsed || parsed->kind != kind)
        throw validation_error("'" + arn + "' is not a valid " + kind_name(kind) + " ARN");
}

store::LoadBalancerRecord require_load_balancer(Elbv2Context& elb, const protocol::CallContext& call,
                                                const std::string& arn) {
    check_arn(arn, ArnKind::load_balancer);
    auto record = elb.store.load_balancers().find(arn);
    if (!record || !in_scope(call, record->scope)) throw load_balancer_not_found("Load balancer '" + arn + "' not found");
    return *record;
}

store::TargetGroupRecord require_target_group(Elbv2Context& elb, const protocol::CallContext& call,
                                              const std::string& arn) {
    check_arn(arn, ArnKind::target_group);
    auto record = elb.store.target_groups().find(arn);
    if (!record || !in_scope(call, record->scope)) throw target_group_not_found("Target groups '" + arn + "' not found");
    return *record;
}

store::ListenerRecord require_listener(Elbv2Context& elb, const protocol::CallContext& call, const std::string& arn) {
    check_arn(arn, ArnKind::listener);
    const auto parsed = parse_arn(arn);
    auto record = elb.store.load_balancers().find_listener(arn);
    if (!record || !parsed || !in_scope(call, parsed->scope)) throw listener_not_found("Listener '" + arn + "' not found");
    return *record;
}

store::RuleRecord require_rule(Elbv2Context& elb, const protocol::CallContext& call, const std::string& arn) {
    check_arn(arn, ArnKind::rule);
    const auto parsed = parse_arn(arn);
    auto record = elb.store.load_balancers().find_rule(arn);
    if (!record || !parsed || !in_scope(call, parsed->scope)) throw rule_not_found("Rule '" + arn + "' not found");
    return *record;
}

json page_of(const std::vector<std::pair<std::string, json>>& items, const json& input, const std::string& list_name) {
    const auto page = protocol::read_page_request(input, k_page_limits, "ValidationError", {"PageSize", "Marker"});
    const auto after = page.after && page.after->is_string() ? page.after->get<std::string>() : std::string();
    json out = {{list_name, json::array()}};
    std::string last;
    for (const auto& [key, item] : items) {
        if (page.after && key <= after) continue;
        if (out[list_name].size() == page.limit) {
            out["NextMarker"] = protocol::encode_page_token(last);
            break;
        }
        out[list_name].push_back(item);
        last = key;
    }
    return out;
}

void put_tags(Elbv2Context& elb, const std::string& arn, const json& tags) {
    if (tags.is_null() || tags.empty()) return;
    std::set<std::string> keys;
    store::TagList list;
    for (const auto& tag : tags) {
        const auto key = tag.value("Key", "");
        if (!keys.insert(key).second)
            throw AwsError("DuplicateTagKeysException", "Tag key '" + key + "' was specified more than once");
        list.emplace_back(key, tag.value("Value", ""));
    }
    auto existing = elb.store.tags().list(arn);
    for (const auto& [key, _] : existing) keys.insert(key);
    if (keys.size() > k_max_tags)
        throw AwsError("TooManyTagsException", "A resource can have at most " + std::to_string(k_max_tags) + " tags");
    elb.store.tags().put(arn, list);
}

std::string default_vpc(const store::Scope& scope) {
    return "vpc-" + util::sha256_hex(scope.account + "/" + scope.region).substr(0, 17);
}

std::string type_of(const store::LoadBalancerRecord& record) {
    return json::parse(record.body).value("Type", "application");
}

}  // namespace ecsbox::elbv2

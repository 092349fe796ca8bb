#include "elbv2/tags.hpp"

#include "elbv2/arns.hpp"
#include "elbv2/errors.hpp"
#include "elbv2/resources.hpp"

namespace ecsbox::elbv2 {

namespace {

// Checks that the resource exists, with the not-found error of its kind.
void require_resource(Elbv2Context& elb, const protocol::CallContext& call, const std::string& arn) {
    const auto parsed = parse_arn(arn);
    if (!parsed) throw validation_error("'" + arn + "' is not a valid Elastic Load Balancing resource ARN");
    switch (parsed->kind) {
        case ArnKind::load_balancer: require_load_balancer(elb, call, arn); return;
        case ArnKind::target_group: require_target_group(elb, call, arn); return;
        case ArnKind::listener: require_listener(elb, call, arn); return;
        case ArnKind::rule: require_rule(elb, call, arn); return;
    }
}

std::vector<std::string> resources_of(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    std::vector<std::string> arns;
    for (const auto& arn : input.at("ResourceArns")) {
        require_resource(elb, call, arn.get<std::string>());
        arns.push_back(arn.get<std::string>());
    }
    return arns;
}

}  // namespace

json add_tags(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto arns = resources_of(elb, call, input);
    auto tx = elb.store.transaction();
    for (const auto& arn : arns) put_tags(elb, arn, input.at("Tags"));
    tx.commit();
    return json::object();
}

json remove_tags(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    const auto arns = resources_of(elb, call, input);
    const auto keys = input.at("TagKeys").get<std::vector<std::string>>();
    auto tx = elb.store.transaction();
    for (const auto& arn : arns) elb.store.tags().remove(arn, keys);
    tx.commit();
    return json::object();
}

json describe_tags(Elbv2Context& elb, const protocol::CallContext& call, const json& input) {
    json descriptions = json::array();
    for (const auto& arn : resources_of(elb, call, input)) {
        json tags = json::array();
        for (const auto& [key, value] : elb.store.tags().list(arn)) tags.push_back({{"Key", key}, {"Value", value}});
        descriptions.push_back({{"ResourceArn", arn}, {"Tags", tags}});
    }
    return {{"TagDescriptions", descriptions}};
}

}  // namespace ecsbox::elbv2

#include "ecs/service_deployments.hpp"

#include <algorithm>

#include "ecs/arns.hpp"
#include "ecs/clusters.hpp"
#include "ecs/errors.hpp"
#include "ecs/service_shapes.hpp"
#include "ecs/services.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{20, 100};
constexpr std::size_t k_max_describe = 20;

// The deployment an ARN of this scope names, with its service.
std::optional<std::pair<store::ServiceRecord, store::DeploymentRecord>> find_deployment(EcsContext& ecs,
                                                                                        const store::Scope& scope,
                                                                                        const std::string& arn) {
    const auto parsed = parse_ecs_arn(arn);
    if (!parsed || parsed->region != scope.region || parsed->account != scope.account) return std::nullopt;
    auto deployment = ecs.store.services().find_deployment(arn);
    if (!deployment) return std::nullopt;
    auto service = ecs.store.services().find(deployment->service_arn);
    if (!service) return std::nullopt;
    return std::pair{std::move(*service), std::move(*deployment)};
}

void check_batch(const json& arns, const char* operation) {
    if (arns.empty() || arns.size() > k_max_describe)
        throw invalid_parameter(std::string(operation) + " accepts between 1 and 20 ARNs.");
}

}  // namespace

json list_service_deployments(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_request_cluster(ecs, scope, input);
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto service = find_service(ecs, scope, cluster, input.at("service").get<std::string>());
    if (!service) throw service_not_found();
    const auto all = ecs.store.services().deployments(service->arn, true);
    const auto statuses = input.value("status", json::array());
    const auto created = input.value("createdAt", json::object());
    std::vector<std::pair<std::string, json>> matching;  // (deployment id, brief), newest first
    for (const auto& d : all) {
        auto brief = service_deployment_brief(*service, d, all);
        if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), brief["status"]) == statuses.end()) continue;
        if (created.contains("after") && d.created_at < created["after"].get<double>()) continue;
        if (created.contains("before") && d.created_at > created["before"].get<double>()) continue;
        matching.emplace_back(d.id, std::move(brief));
    }
    auto from = matching.begin();
    if (page.after && page.after->is_string()) {
        from = std::find_if(matching.begin(), matching.end(), [&](const auto& m) { return m.first == *page.after; });
        if (from != matching.end()) ++from;
    }
    json out = {{"serviceDeployments", json::array()}};
    for (auto it = from; it != matching.end() && out["serviceDeployments"].size() < page.limit; ++it) {
        out["serviceDeployments"].push_back(it->second);
        if (out["serviceDeployments"].size() == page.limit && it + 1 != matching.end())
            out["nextToken"] = protocol::encode_page_token(it->first);
    }
    return out;
}

json describe_service_deployments(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto& arns = input.at("serviceDeploymentArns");
    check_batch(arns, "DescribeServiceDeployments");
    json deployments = json::array(), failures = json::array();
    for (const auto& item : arns) {
        const auto arn = item.get<std::string>();
        const auto found = arn.find(":service-deployment/") != std::string::npos ? find_deployment(ecs, scope, arn)
                                                                                 : std::nullopt;
        if (!found) {
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
            continue;
        }
        const auto all = ecs.store.services().deployments(found->first.arn, true);
        deployments.push_back(service_deployment_json(ecs, found->first, found->second, all));
    }
    return {{"serviceDeployments", deployments}, {"failures", failures}};
}

json describe_service_revisions(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto& arns = input.at("serviceRevisionArns");
    check_batch(arns, "DescribeServiceRevisions");
    json revisions = json::array(), failures = json::array();
    for (const auto& item : arns) {
        const auto arn = item.get<std::string>();
        const auto parsed = parse_ecs_arn(arn);
        // service-revision/CLUSTER/SERVICE/NUMBER: the number is the deployment's.
        std::optional<std::pair<store::ServiceRecord, store::DeploymentRecord>> found;
        if (parsed && parsed->resource_type == "service-revision" && parsed->region == scope.region &&
            parsed->account == scope.account) {
            const auto& id = parsed->resource_id;
            const auto number = id.substr(id.rfind('/') + 1);
            const auto deployment = ecs.store.services().find_deployment("ecs-svc/" + number);
            if (deployment)
                if (auto service = ecs.store.services().find(deployment->service_arn);
                    service && id == cluster_name_of(service->cluster_arn) + "/" + service->name + "/" + number)
                    found = std::pair{std::move(*service), *deployment};
        }
        if (!found) {
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
            continue;
        }
        revisions.push_back(service_revision_json(ecs, found->first, found->second));
    }
    return {{"serviceRevisions", revisions}, {"failures", failures}};
}

json stop_service_deployment(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto arn = input.at("serviceDeploymentArn").get<std::string>();
    const auto stop_type = input.value("stopType", std::string("ROLLBACK"));
    if (stop_type != "ROLLBACK")
        throw AwsError("UnsupportedFeatureException",
                       "The " + stop_type + " stop type is not supported for rolling deployments; use ROLLBACK.");
    auto tx = ecs.store.transaction();
    auto found = find_deployment(ecs, scope, arn);
    if (!found) throw AwsError("ServiceDeploymentNotFoundException", "The service deployment was not found.");
    auto& [service, deployment] = *found;
    json body = json::parse(deployment.body);
    if (body.contains("stopRequested") || body.contains("rolledBackBy")) return {{"serviceDeploymentArn", arn}};
    if (deployment.status != "PRIMARY" || deployment.rollout_state != "IN_PROGRESS" || service.status != "ACTIVE")
        throw AwsError("ConflictException", "The service deployment " + arn + " is not in progress.");
    const auto all = ecs.store.services().deployments(service.arn, true);
    if (std::none_of(all.begin(), all.end(), [&](const auto& d) { return d.rollout_state == "COMPLETED"; }))
        throw AwsError("ConflictException", "The service has no completed deployment to roll back to.");
    body["stopRequested"] = stop_type;
    deployment.body = body.dump();
    deployment.updated_at = ecs.clock.now();
    ecs.store.services().put_deployment(deployment);
    tx.commit();
    ecs.desired_state_changed();
    return {{"serviceDeploymentArn", arn}};
}

}  // namespace ecsbox::ecs

#include "ecs/service_shapes.hpp"

#include "ecs/tags.hpp"
#include "scheduler/deployments.hpp"

namespace ecsbox::ecs {

namespace {

const store::DeploymentRecord* find(const std::vector<store::DeploymentRecord>& all, const std::string& id) {
    for (const auto& d : all)
        if (d.id == id) return &d;
    return nullptr;
}

// The launch members a deployment shows: its launch type (EC2 unless a capacity provider
// strategy stands in for it), and what else its launch configuration names.
void add_launch(json& out, const json& launch) {
    if (launch.contains("capacityProviderStrategy"))
        out["capacityProviderStrategy"] = launch["capacityProviderStrategy"];
    else
        out["launchType"] = launch.value("launchType", "EC2");
    if (launch.value("launchType", "") == "FARGATE" || launch.contains("platformVersion")) {
        out["platformVersion"] = launch.value("platformVersion", "LATEST");
        out["platformFamily"] = "Linux";
    }
    if (launch.contains("networkConfiguration")) out["networkConfiguration"] = launch["networkConfiguration"];
}

json revision_summary(const store::ServiceRecord& service, const store::DeploymentRecord& d,
                      const std::vector<store::TaskTally>& tasks) {
    const auto counts = scheduler::count_tasks(tasks, d.id);
    const auto requested = d.status == "PRIMARY" ? service.desired_count : 0;
    return {{"arn", scheduler::revision_arn_of(service, d)},
            {"requestedTaskCount", requested},
            {"runningTaskCount", counts.running},
            {"pendingTaskCount", counts.pending}};
}

json deployment_json(const store::ServiceRecord& service, const store::DeploymentRecord& d,
                     const std::vector<store::TaskTally>& tasks) {
    const auto counts = scheduler::count_tasks(tasks, d.id);
    json out = {{"id", d.id},
                {"status", d.status},
                {"taskDefinition", d.task_definition_arn},
                // An old deployment is asked for what it still has until it is drained.
                {"desiredCount", d.status == "PRIMARY" ? service.desired_count : counts.running + counts.pending},
                {"pendingCount", counts.pending},
                {"runningCount", counts.running},
                {"failedTasks", d.failed_tasks},
                {"createdAt", d.created_at},
                {"updatedAt", d.updated_at},
                {"rolloutState", d.rollout_state},
                {"rolloutStateReason", d.rollout_state_reason}};
    add_launch(out, json::parse(d.body).value("launch", json::object()));
    return out;
}

}  // namespace

json service_json(EcsContext& ecs, const store::ServiceRecord& service, bool with_tags) {
    json out = json::parse(service.body);
    const auto tasks = ecs.store.tasks().tally_of_service(service.cluster_arn, service.name);
    const auto deployments = ecs.store.services().deployments(service.arn);
    const auto counts = scheduler::count_tasks(tasks);
    out["serviceArn"] = service.arn;
    out["serviceName"] = service.name;
    out["clusterArn"] = service.cluster_arn;
    out["status"] = service.status;
    out["desiredCount"] = service.desired_count;
    out["runningCount"] = counts.running;
    out["pendingCount"] = counts.pending;
    out["schedulingStrategy"] = service.scheduling_strategy;
    out["createdAt"] = service.created_at;
    out["deployments"] = json::array();
    out["currentServiceRevisions"] = json::array();
    for (const auto& d : deployments) {
        out["deployments"].push_back(deployment_json(service, d, tasks));
        out["currentServiceRevisions"].push_back(revision_summary(service, d, tasks));
        if (d.status == "PRIMARY") out["currentServiceDeployment"] = d.arn;
    }
    out["events"] = json::array();
    for (const auto& e : ecs.store.services().events(service.arn))
        out["events"].push_back({{"id", e.id}, {"createdAt", e.created_at}, {"message", e.message}});
    if (with_tags) out["tags"] = tags_to_json(ecs.store.tags().list(service.arn));
    return out;
}

std::string service_deployment_status(const store::DeploymentRecord& d, const std::vector<store::DeploymentRecord>& all) {
    const json body = json::parse(d.body);
    if (body.contains("rolledBackBy")) {
        const auto* rollback = find(all, body["rolledBackBy"].get<std::string>());
        if (rollback && rollback->rollout_state == "COMPLETED") return "ROLLBACK_SUCCESSFUL";
        if (rollback && rollback->rollout_state == "FAILED") return "ROLLBACK_FAILED";
        return "ROLLBACK_IN_PROGRESS";
    }
    if (body.contains("stopRequested")) return "ROLLBACK_REQUESTED";
    if (d.rollout_state == "COMPLETED") return "SUCCESSFUL";
    if (d.rollout_state == "FAILED") return "STOPPED";
    return d.status == "PRIMARY" ? "IN_PROGRESS" : "STOPPED";  // a newer deployment superseded it
}

namespace {

std::string status_reason(const store::DeploymentRecord& d, const std::string& status) {
    if (status == "STOPPED" && d.rollout_state == "IN_PROGRESS") return "Superseded by a newer service deployment.";
    return d.rollout_state_reason;
}

}  // namespace

json service_deployment_brief(const store::ServiceRecord& service, const store::DeploymentRecord& d,
                              const std::vector<store::DeploymentRecord>& all) {
    const auto status = service_deployment_status(d, all);
    json out = {{"serviceDeploymentArn", d.arn},
                {"serviceArn", service.arn},
                {"clusterArn", service.cluster_arn},
                {"createdAt", d.created_at},
                {"startedAt", d.created_at},
                {"targetServiceRevisionArn", scheduler::revision_arn_of(service, d)},
                {"status", status},
                {"statusReason", status_reason(d, status)}};
    if (d.finished_at) out["finishedAt"] = *d.finished_at;
    return out;
}

json service_deployment_json(EcsContext& ecs, const store::ServiceRecord& service, const store::DeploymentRecord& d,
                             const std::vector<store::DeploymentRecord>& all) {
    const json body = json::parse(d.body);
    const auto tasks = ecs.store.tasks().tally_of_service(service.cluster_arn, service.name);
    const auto status = service_deployment_status(d, all);
    json out = service_deployment_brief(service, d, all);
    out.erase("targetServiceRevisionArn");
    out["updatedAt"] = d.updated_at;
    if (status == "STOPPED") out["stoppedAt"] = d.finished_at.value_or(d.updated_at);
    out["targetServiceRevision"] = revision_summary(service, d, tasks);
    out["sourceServiceRevisions"] = json::array();
    for (const auto& id : body.value("sourceDeployments", json::array()))
        if (const auto* source = find(all, id.get<std::string>()))
            out["sourceServiceRevisions"].push_back(revision_summary(service, *source, tasks));
    const auto config = body.value("deploymentConfiguration", json::object());
    out["deploymentConfiguration"] = config;
    if (body.contains("rollback")) out["rollback"] = body["rollback"];
    const auto breaker = config.value("deploymentCircuitBreaker", json::object());
    const bool enabled = breaker.value("enable", false);
    const auto breaker_status = !enabled ? "DISABLED"
                                : d.rollout_state == "FAILED" && body.contains("breakerFailures") &&
                                          d.rollout_state_reason.find("circuit breaker") != std::string::npos
                                    ? "TRIGGERED"
                                : d.rollout_state == "IN_PROGRESS" ? "MONITORING"
                                                                   : "MONITORING_COMPLETE";
    out["deploymentCircuitBreaker"] = {{"status", breaker_status},
                                       {"failureCount", body.value("breakerFailures", 0)},
                                       {"threshold", scheduler::circuit_breaker_threshold(service.desired_count, breaker)}};
    return out;
}

json service_revision_json(EcsContext& ecs, const store::ServiceRecord& service, const store::DeploymentRecord& d) {
    const json service_body = json::parse(service.body);
    json out = {{"serviceRevisionArn", scheduler::revision_arn_of(service, d)},
                {"serviceArn", service.arn},
                {"clusterArn", service.cluster_arn},
                {"taskDefinition", d.task_definition_arn},
                {"loadBalancers", json::parse(d.body).value("launch", json::object()).value("loadBalancers", json::array())},
                {"serviceRegistries", service_body.value("serviceRegistries", json::array())},
                {"containerImages", json::array()},
                {"guardDutyEnabled", false},
                {"createdAt", d.created_at}};
    add_launch(out, json::parse(d.body).value("launch", json::object()));
    if (const auto definition = ecs.store.task_definitions().find_by_arn(d.task_definition_arn))
        for (const auto& c : json::parse(definition->body).value("containerDefinitions", json::array()))
            out["containerImages"].push_back({{"containerName", c.value("name", "")}, {"image", c.value("image", "")}});
    return out;
}

}  // namespace ecsbox::ecs

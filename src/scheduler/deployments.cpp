#include "scheduler/deployments.hpp"

#include <algorithm>

#include "store/arns.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

store::DeploymentRecord new_deployment(const store::ServiceRecord& service, const std::string& task_definition_arn,
                                       util::IdGenerator& ids, double now) {
    // ECS's deployment ids are "ecs-svc/" and 19 digits.
    std::string digits = std::to_string(1 + std::stoull(ids.hex(15), nullptr, 16) % 9);
    while (digits.size() < 19) digits += std::to_string(std::stoull(ids.hex(2), nullptr, 16) % 10);
    const json body = json::parse(service.body);
    json launch = json::object();
    for (const char* member : k_launch_members)
        if (body.contains(member)) launch[member] = body[member];
    store::DeploymentRecord d;
    d.id = "ecs-svc/" + digits;
    d.arn = store::service_deployment_arn(service.scope, store::cluster_name_of(service.cluster_arn), service.name,
                                          ids.hex(22));
    d.service_arn = service.arn;
    d.status = "PRIMARY";
    d.task_definition_arn = task_definition_arn;
    d.rollout_state = "IN_PROGRESS";
    d.rollout_state_reason = "ECS deployment " + d.id + " in progress.";
    d.body = json{{"launch", launch}, {"deploymentConfiguration", body.value("deploymentConfiguration", json::object())}}.dump();
    d.created_at = now;
    d.updated_at = now;
    return d;
}

void start_deployment(store::Store& store, store::DeploymentRecord deployment) {
    json body = json::parse(deployment.body);
    body["sourceDeployments"] = json::array();
    for (auto& d : store.services().deployments(deployment.service_arn)) {
        body["sourceDeployments"].push_back(d.id);
        if (d.status != "PRIMARY") continue;
        d.status = "ACTIVE";
        d.updated_at = deployment.created_at;
        store.services().put_deployment(d);
    }
    deployment.body = body.dump();
    store.services().put_deployment(deployment);
}

std::string revision_arn_of(const store::ServiceRecord& service, const store::DeploymentRecord& deployment) {
    return store::service_revision_arn(service.scope, store::cluster_name_of(service.cluster_arn), service.name,
                                       deployment.id.substr(deployment.id.find('/') + 1));
}

bool is_live(const store::TaskRecord& task) {
    return task.desired_status == "RUNNING" && task.last_status != "STOPPED";
}

TaskHealth health_of(const store::TaskRecord& task) {
    return {task.health_status, task.health_checked, task.started_at.value_or(task.created_at)};
}

bool is_healthy(const store::TaskRecord& task, const TaskHealth& health) {
    if (!is_live(task) || task.last_status != "RUNNING") return false;
    // A task whose essential containers have health checks serves once they pass.
    return health.status == "HEALTHY" || (health.status != "UNHEALTHY" && !health.checked);
}

bool is_healthy(const store::TaskRecord& task) { return is_healthy(task, health_of(task)); }

TaskCounts count_tasks(const std::vector<store::TaskTally>& tallies, const std::string& deployment_id) {
    TaskCounts counts;
    for (const auto& tally : tallies) {
        if (!deployment_id.empty() && tally.started_by.value_or("") != deployment_id) continue;
        if (tally.last_status == "RUNNING")
            counts.running += tally.count;
        else if (tally.desired_status == "RUNNING" && tally.last_status != "STOPPED")
            counts.pending += tally.count;
    }
    return counts;
}

std::int64_t circuit_breaker_threshold(std::int64_t desired_count, const json& circuit_breaker) {
    const auto config = circuit_breaker.value("thresholdConfiguration", json::object());
    const auto type = config.value("type", std::string("BOUNDED_PERCENT"));
    const auto value = config.value("value", std::int64_t{50});
    if (type == "COUNT") return std::max<std::int64_t>(1, value);
    const auto percent = (desired_count * value + 99) / 100;
    if (type == "UNBOUNDED_PERCENT") return std::max<std::int64_t>(1, percent);
    return std::clamp<std::int64_t>(percent, 3, 200);
}

}  // namespace ecsbox::scheduler

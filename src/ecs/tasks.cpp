#include "ecs/tasks.hpp"

#include <algorithm>

#include "ecs/arns.hpp"
#include "ecs/clusters.hpp"
#include "ecs/errors.hpp"
#include "ecs/tags.hpp"
#include "ecs/task_definition_rules.hpp"
#include "protocol/pagination.hpp"
#include "scheduler/instances.hpp"
#include "scheduler/placement.hpp"
#include "scheduler/task_factory.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{100, 100};
constexpr std::size_t k_max_describe = 100;

struct ClusterRef {
    std::string arn;
    std::string name;
};

ClusterRef require_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto cluster = require_request_cluster(ecs, scope_of(call), input);
    return {cluster.arn, cluster.name};
}

// Task-level cpu/memory overrides, read as registration reads them ("1 vCPU", "2 GB", units).
json normalize_task_overrides(json overrides) {
    if (overrides.contains("cpu")) {
        const auto cpu = parse_task_cpu(overrides["cpu"].get<std::string>());
        if (!cpu || *cpu < 1) throw invalid_parameter("Invalid 'cpu' override: '" + overrides["cpu"].get<std::string>() + "'.");
        overrides["cpu"] = std::to_string(*cpu);
    }
    if (overrides.contains("memory")) {
        const auto memory = parse_task_memory(overrides["memory"].get<std::string>());
        if (!memory || *memory < 1)
            throw invalid_parameter("Invalid 'memory' override: '" + overrides["memory"].get<std::string>() + "'.");
        overrides["memory"] = std::to_string(*memory);
    }
    return overrides;
}

void check_overrides(const json& overrides, const json& task_definition) {
    for (const auto& o : overrides.value("containerOverrides", json::array())) {
        const auto name = o.value("name", "");
        const auto& defs = task_definition["containerDefinitions"];
        if (std::none_of(defs.begin(), defs.end(), [&](const json& c) { return c.value("name", "") == name; }))
            throw invalid_parameter("Override for container named " + name + " is not a container in the TaskDefinition.");
    }
}

bool supports(const json& task_definition, const std::string& launch_type) {
    for (const auto& c : task_definition.value("compatibilities", json::array()))
        if (c == launch_type) return true;
    return false;
}

}  // namespace

store::TaskDefinitionRecord require_task_definition(EcsContext& ecs, const store::Scope& scope,
                                                    const std::string& identifier) {
    const auto ref = parse_task_definition_ref(scope, identifier);
    auto record = !ref ? std::nullopt
                  : ref->revision ? ecs.store.task_definitions().find(scope, ref->family, *ref->revision)
                                  : ecs.store.task_definitions().find_latest_active(scope, ref->family);
    if (!record) throw client_error("Unable to find task definition '" + identifier + "'.");
    if (record->status != "ACTIVE") throw client_error("TaskDefinition is inactive");
    return *record;
}

void require_one_launch_choice(const json& request) {
    if (request.contains("launchType") && request.contains("capacityProviderStrategy"))
        throw invalid_parameter("Specifying both a launch type and capacity provider strategy is not supported. "
                                "Remove one and try again.");
}

void require_launchable(const json& task_definition, const std::string& launch_type, const json& request) {
    if (!supports(task_definition, launch_type))
        throw invalid_parameter("Task definition does not support launch_type " + launch_type + ".");
    if (task_definition.value("networkMode", "bridge") == "awsvpc" && !request.contains("networkConfiguration"))
        throw invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
}

json task_json(const store::TaskRecord& record) {
    json task = json::parse(record.body);
    task["lastStatus"] = record.last_status;
    task["desiredStatus"] = record.desired_status;
    task["version"] = record.version;
    if (record.stop_code) task["stopCode"] = *record.stop_code;
    if (record.stopped_reason) task["stoppedReason"] = *record.stopped_reason;
    if (record.started_by) task["startedBy"] = *record.started_by;
    return task;
}

namespace {

// What RunTask and StartTask share: the definition to run, how, and with which tags.
struct LaunchPlan {
    scheduler::TaskLaunch launch;
    store::TagList tags;
    scheduler::PlacementRules placement;  // RunTask's; StartTask names its instances itself
};

LaunchPlan plan_launch(EcsContext& ecs, const store::Scope& scope, const std::string& cluster_arn, const json& input) {
    const auto record = require_task_definition(ecs, scope, input.at("taskDefinition").get<std::string>());
    LaunchPlan plan;
    auto& launch = plan.launch;
    launch.scope = scope;
    launch.cluster_arn = cluster_arn;
    launch.definition = record;
    launch.task_definition = json::parse(record.body);
    launch.launch_type = scheduler::effective_launch_type(input);
    require_launchable(launch.task_definition, launch.launch_type, input);
    launch.overrides = normalize_task_overrides(input.value("overrides", json::object()));
    check_overrides(launch.overrides, launch.task_definition);
    launch.group = input.value("group", scheduler::default_group(record));
    if (input.contains("startedBy")) launch.started_by = input["startedBy"].get<std::string>();
    launch.enable_execute_command = input.value("enableExecuteCommand", false);
    launch.platform_version = input.value("platformVersion", launch.platform_version);
    plan.tags = tags_from_request(input.value("tags", json::array()));
    if (input.value("propagateTags", "NONE") == "TASK_DEFINITION")
        for (auto& tag : ecs.store.tags().list(record.arn))
            if (std::none_of(plan.tags.begin(), plan.tags.end(), [&](const auto& t) { return t.first == tag.first; }))
                plan.tags.push_back(tag);
    return plan;
}

// Places up to `count` tasks of the plan on the candidates, recording each placed one.
void place_tasks(EcsContext& ecs, const LaunchPlan& plan, std::vector<scheduler::Candidate>& candidates, int count,
                 json& tasks, json& failures) {
    const auto need = scheduler::launch_reservation(plan.launch);
    for (int i = 0; i < count; ++i) {
        const auto placement = scheduler::place_task(plan.placement, candidates, need, plan.launch.group, ecs.ids);
        if (!placement.chosen) {
            for (const auto& failure : placement.failures)
                failures.push_back({{"arn", failure.arn}, {"reason", failure.reason}});
            continue;
        }
        const auto record =
            scheduler::make_task(plan.launch, candidates[*placement.chosen].instance.arn, ecs.ids, ecs.clock.now());
        ecs.store.tasks().insert(plan.launch.scope, record);
        add_tags(ecs, record.arn, plan.tags);
        tasks.push_back(task_json(record));
        if (!plan.tags.empty()) tasks.back()["tags"] = tags_to_json(plan.tags);
    }
}

}  // namespace

json run_task(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto count = input.value("count", 1);
    if (count < 1 || count > 10) throw invalid_parameter("count must be between 1 and 10.");
    require_one_launch_choice(input);
    const auto cluster = require_cluster(ecs, call, input);
    auto plan = plan_launch(ecs, scope, cluster.arn, input);
    plan.placement = value_or_throw(scheduler::read_placement(input.value("placementConstraints", json::array()),
                                                              input.value("placementStrategy", json::array()),
                                                              plan.launch.task_definition, plan.launch.launch_type));

    json tasks = json::array(), failures = json::array();
    auto tx = ecs.store.transaction();
    // A retry with the same clientToken answers what the first request did and starts nothing.
    const auto token = input.value("clientToken", "");
    json request = input;
    request.erase("clientToken");
    if (!token.empty()) {
        if (const auto first = ecs.store.client_tokens().find(scope, "RunTask", token)) {
            if (first->request != request.dump())
                throw invalid_parameter("The clientToken '" + token +
                                        "' was already used by a RunTask request with different parameters.");
            return json::parse(first->response);
        }
    }
    std::vector<scheduler::Candidate> candidates;
    for (const auto& instance : value_or_throw(scheduler::ensure_local_instances(ecs.store, ecs.clock, ecs.ids, scope,
                                                                                 cluster.arn, ecs.local_instances)))
        if (instance.status == "ACTIVE") candidates.push_back(scheduler::candidate_of(ecs.store, instance));
    if (candidates.empty()) throw invalid_parameter("No Container Instances were found in your cluster.");
    place_tasks(ecs, plan, candidates, count, tasks, failures);
    const json response = {{"tasks", tasks}, {"failures", failures}};
    if (!token.empty())
        ecs.store.client_tokens().record(scope, "RunTask", token, {request.dump(), response.dump(), ecs.clock.now()});
    tx.commit();
    if (!tasks.empty()) ecs.desired_state_changed();
    return response;
}

json start_task(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_cluster(ecs, call, input);
    const auto& targets = input.at("containerInstances");
    if (targets.empty() || targets.size() > 10)
        throw invalid_parameter("StartTask accepts between 1 and 10 container instances.");
    const auto plan = plan_launch(ecs, scope, cluster.arn, input);

    json tasks = json::array(), failures = json::array();
    auto tx = ecs.store.transaction();
    for (const auto& target : targets) {
        const auto id = target.get<std::string>();
        const auto arn = parse_ecs_arn(id) ? id : container_instance_arn(scope, cluster.name, id);
        const auto instance = ecs.store.container_instances().find(arn);
        if (!instance || instance->cluster_arn != cluster.arn || instance->status == "INACTIVE") {
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
        } else if (!scheduler::is_local(*instance)) {
            failures.push_back({{"arn", arn}, {"reason", "AGENT"}});  // no agent runs behind it here
        } else if (instance->status != "ACTIVE") {
            failures.push_back({{"arn", arn}, {"reason", "DRAINING"}});
        } else {
            std::vector<scheduler::Candidate> candidates{scheduler::candidate_of(ecs.store, *instance)};
            place_tasks(ecs, plan, candidates, 1, tasks, failures);
        }
    }
    tx.commit();
    if (!tasks.empty()) ecs.desired_state_changed();
    return {{"tasks", tasks}, {"failures", failures}};
}

json stop_task(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_cluster(ecs, call, input);
    const auto arn = task_arn_from(scope, cluster.name, input.at("task").get<std::string>());
    auto record = arn ? ecs.store.tasks().find(*arn) : std::nullopt;
    if (!record || record->cluster_arn != cluster.arn) throw invalid_parameter("The referenced task was not found.");
    const auto reason = input.value("reason", std::string("Task stopped by user"));
    if (ecs.store.tasks().request_stop(*arn, "UserInitiated", reason)) ecs.desired_state_changed();
    return {{"task", task_json(*ecs.store.tasks().find(*arn))}};
}

json describe_tasks(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_cluster(ecs, call, input);
    const auto& ids = input.at("tasks");
    if (ids.empty() || ids.size() > k_max_describe)
        throw invalid_parameter("DescribeTasks accepts between 1 and 100 tasks.");
    bool with_tags = false;
    for (const auto& field : input.value("include", json::array())) with_tags |= field == "TAGS";
    json tasks = json::array(), failures = json::array();
    for (const auto& id : ids) {
        const auto identifier = id.get<std::string>();
        const auto arn = task_arn_from(scope, cluster.name, identifier);
        const auto record = arn ? ecs.store.tasks().find(*arn) : std::nullopt;
        if (!record || record->cluster_arn != cluster.arn) {
            failures.push_back({{"arn", arn.value_or(identifier)}, {"reason", "MISSING"}});
            continue;
        }
        tasks.push_back(task_json(*record));
        if (with_tags) tasks.back()["tags"] = tags_to_json(ecs.store.tags().list(record->arn));
    }
    return {{"tasks", tasks}, {"failures", failures}};
}

json list_tasks(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_cluster(ecs, call, input);
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    store::TaskQuery query;
    query.cluster_arn = cluster.arn;
    if (input.contains("family")) query.family = input["family"].get<std::string>();
    if (input.contains("startedBy")) query.started_by = input["startedBy"].get<std::string>();
    if (input.contains("serviceName")) query.service_name = input["serviceName"].get<std::string>();
    if (input.contains("launchType")) query.launch_type = input["launchType"].get<std::string>();
    if (input.contains("containerInstance")) {
        const auto id = input["containerInstance"].get<std::string>();
        query.container_instance_arn = parse_ecs_arn(id) ? id : container_instance_arn(scope, cluster.name, id);
    }
    query.desired_status = input.value("desiredStatus", "RUNNING");
    if (page.after && page.after->is_string()) query.after_arn = page.after->get<std::string>();
    query.limit = page.limit + 1;
    auto rows = ecs.store.tasks().list(query);
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    json out = {{"taskArns", json::array()}};
    for (const auto& row : rows) out["taskArns"].push_back(row.arn);
    if (more) out["nextToken"] = protocol::encode_page_token(rows.back().arn);
    return out;
}

std::size_t purge_stopped_tasks(EcsContext& ecs) {
    auto tx = ecs.store.transaction();
    const auto before = ecs.clock.now() - ecs.stopped_task_retention;
    const auto arns = ecs.store.tasks().purge_stopped(before);
    for (const auto& arn : arns) ecs.store.tags().remove_all(arn);
    // A token outlives its request by as long as a stopped task stays describable.
    ecs.store.client_tokens().purge(before);
    tx.commit();
    return arns.size();
}

}  // namespace ecsbox::ecs

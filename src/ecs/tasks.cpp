#include "ecs/tasks.hpp"

#include <algorithm>

#include "ecs/arns.hpp"
#include "ecs/clusters.hpp"
#include "ecs/container_instances.hpp"
#include "ecs/errors.hpp"
#include "ecs/placement.hpp"
#include "ecs/tags.hpp"
#include "ecs/task_definition_rules.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{100, 100};
constexpr std::size_t k_max_describe = 100;

struct ClusterRef {
    std::string arn;
    std::string name;
};

// The request's cluster (default "default"), which must be ACTIVE. With `create_default`, a
// missing default cluster is created, as ECS does when work is first launched without one.
ClusterRef require_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input,
                           bool create_default = false) {
    const auto scope = scope_of(call);
    const auto identifier = input.value("cluster", std::string("default"));
    if (create_default && cluster_name_from(scope, identifier) == "default") {
        const auto existing = ecs.store.clusters().find(scope, "default");
        if (!existing || existing->status != "ACTIVE") create_cluster(ecs, call, json::object());
    }
    const auto cluster = require_active_cluster(ecs, scope, identifier);
    return {cluster.arn, cluster.name};
}

const json* find_override(const json& overrides, const std::string& container_name) {
    const auto list = overrides.find("containerOverrides");
    if (list == overrides.end()) return nullptr;
    for (const auto& o : *list)
        if (o.value("name", "") == container_name) return &o;
    return nullptr;
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

// Task-level cpu and memory as ECS reports them: the definition's, else the containers' sum.
std::pair<std::string, std::string> task_size(const json& task_definition, const json& overrides) {
    std::int64_t cpu = 0, memory = 0;
    for (const auto& c : task_definition["containerDefinitions"]) {
        const json* o = find_override(overrides, c["name"].get<std::string>());
        cpu += o && o->contains("cpu") ? (*o)["cpu"].get<std::int64_t>() : c.value("cpu", std::int64_t{0});
        const auto limit = o && o->contains("memory") ? (*o)["memory"] : c.value("memory", json());
        const auto reservation =
            o && o->contains("memoryReservation") ? (*o)["memoryReservation"] : c.value("memoryReservation", json());
        memory += !limit.is_null() ? limit.get<std::int64_t>() : reservation.is_null() ? 0 : reservation.get<std::int64_t>();
    }
    const auto task_cpu = task_definition.value("cpu", std::to_string(cpu));
    const auto task_memory = task_definition.value("memory", std::to_string(memory));
    return {overrides.value("cpu", task_cpu), overrides.value("memory", task_memory)};
}

json new_task(EcsContext& ecs, const store::Scope& scope, const ClusterRef& cluster, const json& task_definition,
              const json& overrides, const std::string& instance_arn, const json& input, const std::string& launch_type) {
    const auto task_id = ecs.ids.hex(32);
    const auto arn = task_arn(scope, cluster.name, task_id);
    const auto [cpu, memory] = task_size(task_definition, overrides);
    json containers = json::array();
    for (const auto& c : task_definition["containerDefinitions"]) {
        const json* o = find_override(overrides, c["name"].get<std::string>());
        json container = {{"containerArn", container_arn(scope, cluster.name, task_id, ecs.ids.uuid())},
                          {"taskArn", arn},
                          {"name", c["name"]},
                          {"image", c["image"]},
                          {"lastStatus", "PENDING"},
                          {"networkInterfaces", json::array()},
                          {"healthStatus", "UNKNOWN"},
                          {"cpu", std::to_string(o && o->contains("cpu") ? (*o)["cpu"].get<std::int64_t>()
                                                                          : c.value("cpu", std::int64_t{0}))}};
        for (const char* field : {"memory", "memoryReservation"}) {
            const auto value = o && o->contains(field) ? (*o)[field] : c.value(field, json());
            if (!value.is_null()) container[field] = std::to_string(value.get<std::int64_t>());
        }
        containers.push_back(std::move(container));
    }
    json task = {{"taskArn", arn},
                 {"clusterArn", cluster.arn},
                 {"taskDefinitionArn", task_definition["taskDefinitionArn"]},
                 {"overrides", {{"containerOverrides", overrides.value("containerOverrides", json::array())},
                                {"inferenceAcceleratorOverrides", json::array()}}},
                 {"containers", containers},
                 {"cpu", cpu},
                 {"memory", memory},
                 {"createdAt", ecs.clock.now()},
                 {"group", input.value("group", "family:" + task_definition["family"].get<std::string>())},
                 {"launchType", launch_type},
                 {"healthStatus", "UNKNOWN"},
                 {"attachments", json::array()},
                 {"attributes", {{{"name", "ecs.cpu-architecture"}, {"value", "x86_64"}}}},
                 {"availabilityZone", scope.region + "a"},
                 {"enableExecuteCommand", input.value("enableExecuteCommand", false)}};
    for (const char* field : {"cpu", "memory", "executionRoleArn", "taskRoleArn", "ephemeralStorage"})
        if (overrides.contains(field)) task["overrides"][field] = overrides[field];
    if (input.contains("startedBy")) task["startedBy"] = input["startedBy"];
    if (launch_type == "FARGATE") {
        task["platformVersion"] = input.value("platformVersion", "1.4.0");
        task["platformFamily"] = "Linux";
        task["connectivity"] = "CONNECTED";
    } else {
        task["containerInstanceArn"] = instance_arn;
    }
    return task;
}

bool supports(const json& task_definition, const std::string& launch_type) {
    for (const auto& c : task_definition.value("compatibilities", json::array()))
        if (c == launch_type) return true;
    return false;
}

}  // namespace

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
    store::TaskDefinitionRecord definition_record;
    json definition;
    std::string launch_type;
    store::TagList tags;
    json overrides;  // checked against the definition, task cpu/memory in plain units
    PlacementRules placement;  // RunTask's; StartTask names its instances itself
};

LaunchPlan plan_launch(EcsContext& ecs, const store::Scope& scope, const json& input) {
    const auto ref = parse_task_definition_ref(scope, input.at("taskDefinition").get<std::string>());
    auto record = !ref ? std::nullopt
                  : ref->revision ? ecs.store.task_definitions().find(scope, ref->family, *ref->revision)
                                  : ecs.store.task_definitions().find_latest_active(scope, ref->family);
    if (!record) throw client_error("Unable to find task definition '" + input["taskDefinition"].get<std::string>() + "'.");
    if (record->status != "ACTIVE") throw client_error("TaskDefinition is inactive");
    LaunchPlan plan{*record, json::parse(record->body), input.value("launchType", "EC2"), {}, json::object(), {}};
    if (input.contains("capacityProviderStrategy")) {
        const auto& strategy = input["capacityProviderStrategy"];
        plan.launch_type =
            !strategy.empty() && strategy[0].value("capacityProvider", "").rfind("FARGATE", 0) == 0 ? "FARGATE" : "EC2";
    }
    if (plan.launch_type == "MANAGED_INSTANCES") plan.launch_type = "EC2";
    if (!supports(plan.definition, plan.launch_type))
        throw invalid_parameter("Task definition does not support launch_type " + plan.launch_type + ".");
    if (plan.definition.value("networkMode", "bridge") == "awsvpc" && !input.contains("networkConfiguration"))
        throw invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    plan.overrides = normalize_task_overrides(input.value("overrides", json::object()));
    check_overrides(plan.overrides, plan.definition);
    plan.tags = tags_from_request(input.value("tags", json::array()));
    if (input.value("propagateTags", "NONE") == "TASK_DEFINITION")
        for (auto& tag : ecs.store.tags().list(record->arn))
            if (std::none_of(plan.tags.begin(), plan.tags.end(), [&](const auto& t) { return t.first == tag.first; }))
                plan.tags.push_back(tag);
    return plan;
}

// Places one task on `instance` if it fits, else records why not. `remaining` is what is left
// on the instance and shrinks with each placement.
void place_task(EcsContext& ecs, const store::Scope& scope, const ClusterRef& cluster, const LaunchPlan& plan,
                const store::ContainerInstanceRecord& instance, Resources& remaining, InstanceFacts& facts,
                const json& input, json& tasks, json& failures) {
    json task = new_task(ecs, scope, cluster, plan.definition, plan.overrides, instance.arn, input, plan.launch_type);
    if (const auto refusal = placement_refusal(plan.placement, facts, task["group"].get<std::string>())) {
        failures.push_back({{"arn", instance.arn}, {"reason", *refusal}});
        return;
    }
    facts.task_groups.push_back(task["group"].get<std::string>());
    const auto need = task_reservation(task);
    if (need.memory > remaining.memory || need.cpu > remaining.cpu) {
        failures.push_back({{"arn", instance.arn}, {"reason", need.memory > remaining.memory ? "RESOURCE:MEMORY" : "RESOURCE:CPU"}});
        return;
    }
    remaining.cpu -= need.cpu;
    remaining.memory -= need.memory;
    store::TaskRecord record;
    record.arn = task["taskArn"];
    record.cluster_arn = cluster.arn;
    record.task_definition_arn = plan.definition_record.arn;
    record.family = plan.definition_record.family;
    record.container_instance_arn = instance.arn;
    if (input.contains("startedBy")) record.started_by = input["startedBy"].get<std::string>();
    record.launch_type = plan.launch_type;
    record.last_status = "PROVISIONING";
    record.desired_status = "RUNNING";
    record.created_at = task["createdAt"];
    record.body = task.dump();
    ecs.store.tasks().insert(scope, record);
    add_tags(ecs, record.arn, plan.tags);
    tasks.push_back(task_json(record));
    if (!plan.tags.empty()) tasks.back()["tags"] = tags_to_json(plan.tags);
}

}  // namespace

json run_task(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto count = input.value("count", 1);
    if (count < 1 || count > 10) throw invalid_parameter("count must be between 1 and 10.");
    if (input.contains("launchType") && input.contains("capacityProviderStrategy"))
        throw invalid_parameter("Specifying both a launch type and capacity provider strategy is not supported.");
    const auto cluster = require_cluster(ecs, call, input, true);
    auto plan = plan_launch(ecs, scope, input);
    plan.placement = read_placement(input, plan.definition, plan.launch_type);

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
    const auto instance = ensure_local_instance(ecs, scope, cluster.arn, cluster.name);
    if (instance.status != "ACTIVE") throw invalid_parameter("No Container Instances were found in your cluster.");
    auto remaining = remaining_resources(ecs, instance);
    auto facts = instance_facts(ecs, instance);
    for (int i = 0; i < count; ++i)
        place_task(ecs, scope, cluster, plan, instance, remaining, facts, input, tasks, failures);
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
    const auto plan = plan_launch(ecs, scope, input);

    json tasks = json::array(), failures = json::array();
    auto tx = ecs.store.transaction();
    for (const auto& target : targets) {
        const auto id = target.get<std::string>();
        const auto arn = parse_ecs_arn(id) ? id : container_instance_arn(scope, cluster.name, id);
        const auto instance = ecs.store.container_instances().find(arn);
        if (!instance || instance->cluster_arn != cluster.arn || instance->status == "INACTIVE") {
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
        } else if (!is_local(*instance)) {
            failures.push_back({{"arn", arn}, {"reason", "AGENT"}});  // no agent runs behind it here
        } else if (instance->status != "ACTIVE") {
            failures.push_back({{"arn", arn}, {"reason", "DRAINING"}});
        } else {
            auto remaining = remaining_resources(ecs, *instance);
            auto facts = instance_facts(ecs, *instance);
            place_task(ecs, scope, cluster, plan, *instance, remaining, facts, input, tasks, failures);
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

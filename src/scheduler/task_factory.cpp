#include "scheduler/task_factory.hpp"

#include "store/arns.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

const json* find_override(const json& overrides, const std::string& container_name) {
    const auto list = overrides.find("containerOverrides");
    if (list == overrides.end()) return nullptr;
    for (const auto& o : *list)
        if (o.value("name", "") == container_name) return &o;
    return nullptr;
}

}  // namespace

std::string effective_launch_type(const json& request) {
    auto type = request.value("launchType", std::string("EC2"));
    if (request.contains("capacityProviderStrategy")) {
        const auto& strategy = request["capacityProviderStrategy"];
        type = !strategy.empty() && strategy[0].value("capacityProvider", "").rfind("FARGATE", 0) == 0 ? "FARGATE" : "EC2";
    }
    return type == "MANAGED_INSTANCES" ? "EC2" : type;
}

std::string default_group(const store::TaskDefinitionRecord& definition) { return "family:" + definition.family; }

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

Resources launch_reservation(const TaskLaunch& launch) {
    const auto [cpu, memory] = task_size(launch.task_definition, launch.overrides);
    return {std::stoll(cpu), std::stoll(memory)};
}

store::TaskRecord make_task(const TaskLaunch& launch, const std::string& instance_arn, util::IdGenerator& ids,
                            double now) {
    const auto& scope = launch.scope;
    const auto cluster_name = store::cluster_name_of(launch.cluster_arn);
    const auto task_id = ids.hex(32);
    const auto arn = store::task_arn(scope, cluster_name, task_id);
    const auto& overrides = launch.overrides;
    const auto [cpu, memory] = task_size(launch.task_definition, overrides);
    const auto group = launch.group.empty() ? default_group(launch.definition) : launch.group;
    json containers = json::array();
    bool health_checked = false;
    for (const auto& c : launch.task_definition["containerDefinitions"]) {
        health_checked |= c.value("essential", true) && c.contains("healthCheck");
        const json* o = find_override(overrides, c["name"].get<std::string>());
        json container = {{"containerArn", store::container_arn(scope, cluster_name, task_id, ids.uuid())},
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
                 {"clusterArn", launch.cluster_arn},
                 {"taskDefinitionArn", launch.definition.arn},
                 {"overrides", {{"containerOverrides", overrides.value("containerOverrides", json::array())},
                                {"inferenceAcceleratorOverrides", json::array()}}},
                 {"containers", containers},
                 {"cpu", cpu},
                 {"memory", memory},
                 {"createdAt", now},
                 {"group", group},
                 {"launchType", launch.launch_type},
                 {"healthStatus", "UNKNOWN"},
                 {"attachments", json::array()},
                 {"attributes", {{{"name", "ecs.cpu-architecture"}, {"value", "x86_64"}}}},
                 {"availabilityZone", scope.region + "a"},
                 {"enableExecuteCommand", launch.enable_execute_command}};
    for (const char* field : {"cpu", "memory", "executionRoleArn", "taskRoleArn", "ephemeralStorage"})
        if (overrides.contains(field)) task["overrides"][field] = overrides[field];
    if (launch.started_by) task["startedBy"] = *launch.started_by;
    if (launch.launch_type == "FARGATE") {
        task["platformVersion"] = launch.platform_version;
        task["platformFamily"] = "Linux";
        task["connectivity"] = "CONNECTED";
    } else {
        task["containerInstanceArn"] = instance_arn;
    }

    store::TaskRecord record;
    record.arn = arn;
    record.cluster_arn = launch.cluster_arn;
    record.task_definition_arn = launch.definition.arn;
    record.family = launch.definition.family;
    // FARGATE tasks run on the local engine too, and reserve its resources as any task does.
    record.container_instance_arn = instance_arn;
    record.started_by = launch.started_by;
    record.service_name = launch.service_name;
    record.launch_type = launch.launch_type;
    record.last_status = "PROVISIONING";
    record.desired_status = "RUNNING";
    record.created_at = now;
    record.health_checked = health_checked;
    record.reserved_cpu = std::stoll(cpu);
    record.reserved_memory = std::stoll(memory);
    record.group = group;
    record.body = task.dump();
    record.scope = scope;
    return record;
}

}  // namespace ecsbox::scheduler

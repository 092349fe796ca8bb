#include "scheduler/instances.hpp"

#include <algorithm>

#include "store/arns.hpp"
#include "util/rfc3339.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

// Marks the local engine's registration in the stored document; the output shape drops it.
constexpr const char* k_local_marker = "ecsboxLocalEngine";

json resource(const char* name, std::int64_t value) {
    return {{"name", name}, {"type", "INTEGER"}, {"doubleValue", 0.0}, {"longValue", 0}, {"integerValue", value}};
}

std::int64_t integer_resource(const json& list, const std::string& name) {
    for (const auto& r : list)
        if (r.value("name", "") == name) return r.value("integerValue", std::int64_t{0});
    return 0;
}

}  // namespace

json resources_json(const Resources& r) {
    return json::array({resource("CPU", r.cpu), resource("MEMORY", r.memory),
                        {{"name", "PORTS"}, {"type", "STRINGSET"}, {"doubleValue", 0.0}, {"longValue", 0},
                         {"integerValue", 0}, {"stringSetValue", {"22", "2375", "2376", "51678", "51679"}}},
                        {{"name", "PORTS_UDP"}, {"type", "STRINGSET"}, {"doubleValue", 0.0}, {"longValue", 0},
                         {"integerValue", 0}, {"stringSetValue", json::array()}}});
}

bool is_local(const store::ContainerInstanceRecord& instance) {
    return json::parse(instance.body).value(k_local_marker, false);
}

Resources registered_resources(const store::ContainerInstanceRecord& instance) {
    const json body = json::parse(instance.body);
    const auto& list = body.at("registeredResources");
    return {integer_resource(list, "CPU"), integer_resource(list, "MEMORY")};
}

Resources remaining_resources(store::Store& store, const store::ContainerInstanceRecord& instance) {
    return remaining_resources(instance, store.tasks().load_on(instance.arn));
}

Resources remaining_resources(const store::ContainerInstanceRecord& instance, const store::InstanceLoad& load) {
    const auto registered = registered_resources(instance);
    return {registered.cpu - load.reserved_cpu, registered.memory - load.reserved_memory};
}

Outcome<std::vector<store::ContainerInstanceRecord>> ensure_local_instances(store::Store& store, const util::Clock& clock,
                                                                           util::IdGenerator& ids, const store::Scope& scope,
                                                                           const std::string& cluster_arn,
                                                                           const LocalInstances& local) {
    auto tx = store.transaction();
    std::vector<store::ContainerInstanceRecord> instances;
    for (auto& existing : store.container_instances().list(cluster_arn, std::nullopt, std::nullopt, 100000))
        if (is_local(existing)) instances.push_back(std::move(existing));
    const auto wanted = std::max<std::size_t>(1, local.simulated);
    if (instances.size() >= wanted) return instances;
    const auto engine = store.container_instances().engine("local");
    if (!engine)
        return SchedulingError{SchedulingError::Kind::unavailable,
                               "The container engine has not been probed yet; retry shortly."};
    const auto size = local.simulated > 0 ? local.size : Resources{engine->cpu_units, engine->memory_mib};
    const auto docker_version = engine->runtime == "none" ? std::string("none (--runtime none)")
                                                          : "DockerVersion: " + engine->docker_version;
    for (auto n = instances.size(); n < wanted; ++n) {
        store::ContainerInstanceRecord record;
        record.arn = store::container_instance_arn(scope, store::cluster_name_of(cluster_arn), ids.hex(32));
        record.cluster_arn = cluster_arn;
        record.status = "ACTIVE";
        record.registered_at = clock.now();
        const std::string zone = scope.region + static_cast<char>('a' + n % 3);
        json body = {{"version", 1},
                     {"versionInfo",
                      {{"agentVersion", "ecsbox-" + std::string(ECSBOX_VERSION)},
                       {"agentHash", "ecsbox"},
                       {"dockerVersion", docker_version}}},
                     {"registeredResources", resources_json(size)},
                     {"attributes",
                      {{{"name", "ecs.os-type"}, {"value", "linux"}},
                       {{"name", "ecs.cpu-architecture"}, {"value", "x86_64"}},
                       {{"name", "ecs.availability-zone"}, {"value", zone}},
                       {{"name", "ecsbox.runtime"}, {"value", engine->runtime}}}},
                     {"attachments", json::array()},
                     {k_local_marker, true}};
        // An EC2 instance id, so that target groups of type instance can name it (as ELB names
        // the instances of an EC2 cluster).
        body["ec2InstanceId"] = "i-" + ids.hex(17);
        if (local.simulated > 0) {
            body["attributes"].push_back({{"name", "ecsbox.simulated"}, {"value", "true"}});
        }
        record.body = body.dump();
        store.container_instances().put(scope, record);
        instances.push_back(std::move(record));
    }
    tx.commit();
    return instances;
}

InstanceFacts instance_facts(store::Store& store, const store::ContainerInstanceRecord& record) {
    return instance_facts(store, record, store.tasks().load_on(record.arn));
}

InstanceFacts instance_facts(store::Store& store, const store::ContainerInstanceRecord& record,
                             const store::InstanceLoad& load) {
    const json body = json::parse(record.body);
    InstanceFacts facts;
    for (const auto& a : body.value("attributes", json::array()))
        facts.attributes.emplace_back(a.value("name", ""), a.contains("value") ? std::optional(a["value"].get<std::string>())
                                                                               : std::nullopt);
    for (const auto& a : store.container_instances().attributes(record.cluster_arn, record.arn))
        facts.attributes.emplace_back(a.name, a.value);
    const auto engine = is_local(record) ? store.container_instances().engine("local") : std::nullopt;
    facts.agent_connected = engine && engine->connected;
    facts.agent_version = body.value("versionInfo", json::object()).value("agentVersion", "");
    facts.registered_at = util::format_rfc3339(record.registered_at);
    facts.ec2_instance_id = body.value("ec2InstanceId", "");
    facts.running_tasks_count = load.running;
    for (const auto& [group, count] : load.groups) facts.task_groups.insert(group);
    return facts;
}

}  // namespace ecsbox::scheduler

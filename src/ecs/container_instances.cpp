#include "ecs/container_instances.hpp"

#include "ecs/arns.hpp"
#include "ecs/errors.hpp"
#include "ecs/tags.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{100, 100};
constexpr std::size_t k_max_describe = 100;

json resource(const char* name, std::int64_t value) {
    return {{"name", name}, {"type", "INTEGER"}, {"doubleValue", 0.0}, {"longValue", 0}, {"integerValue", value}};
}

json resources_json(const Resources& r) {
    return json::array({resource("CPU", r.cpu), resource("MEMORY", r.memory),
                        {{"name", "PORTS"}, {"type", "STRINGSET"}, {"doubleValue", 0.0}, {"longValue", 0},
                         {"integerValue", 0}, {"stringSetValue", {"22", "2375", "2376", "51678", "51679"}}},
                        {{"name", "PORTS_UDP"}, {"type", "STRINGSET"}, {"doubleValue", 0.0}, {"longValue", 0},
                         {"integerValue", 0}, {"stringSetValue", json::array()}}});
}

std::int64_t integer_resource(const json& list, const std::string& name) {
    for (const auto& r : list)
        if (r.value("name", "") == name) return r.value("integerValue", std::int64_t{0});
    return 0;
}

std::string cluster_name_of(const std::string& cluster_arn) { return cluster_arn.substr(cluster_arn.rfind('/') + 1); }

// Resolves the request's cluster to an ACTIVE cluster's ARN.
std::string require_cluster(EcsContext& ecs, const store::Scope& scope, const json& input) {
    const auto name = cluster_name_from(scope, input.value("cluster", "default"));
    const auto cluster = name ? ecs.store.clusters().find(scope, *name) : std::nullopt;
    if (!cluster || cluster->status != "ACTIVE") throw cluster_not_found();
    return cluster->arn;
}

json instance_json(EcsContext& ecs, const store::ContainerInstanceRecord& record, bool with_tags) {
    json out = json::parse(record.body);
    const auto engine = ecs.store.container_instances().engine("local");
    std::size_t running = 0, pending = 0;
    for (const auto& task : ecs.store.tasks().active_on(record.arn))
        (task.last_status == "RUNNING" ? running : pending)++;
    out["containerInstanceArn"] = record.arn;
    out["status"] = record.status;
    out["agentConnected"] = engine && engine->connected;
    out["remainingResources"] = resources_json(remaining_resources(ecs, record));
    out["runningTasksCount"] = running;
    out["pendingTasksCount"] = pending;
    out["registeredAt"] = record.registered_at;
    if (with_tags) out["tags"] = tags_to_json(ecs.store.tags().list(record.arn));
    return out;
}

}  // namespace

Resources task_reservation(const json& task) {
    Resources r;
    if (task.contains("cpu")) r.cpu = std::stoll(task["cpu"].get<std::string>());
    if (task.contains("memory")) r.memory = std::stoll(task["memory"].get<std::string>());
    return r;
}

Resources registered_resources(const store::ContainerInstanceRecord& instance) {
    const json body = json::parse(instance.body);
    const auto& list = body.at("registeredResources");
    return {integer_resource(list, "CPU"), integer_resource(list, "MEMORY")};
}

Resources remaining_resources(EcsContext& ecs, const store::ContainerInstanceRecord& instance) {
    auto left = registered_resources(instance);
    for (const auto& task : ecs.store.tasks().active_on(instance.arn)) {
        const auto reserved = task_reservation(json::parse(task.body));
        left.cpu -= reserved.cpu;
        left.memory -= reserved.memory;
    }
    return left;
}

store::ContainerInstanceRecord ensure_local_instance(EcsContext& ecs, const store::Scope& scope,
                                                     const std::string& cluster_arn, const std::string& cluster_name) {
    auto tx = ecs.store.transaction();
    auto existing = ecs.store.container_instances().list(cluster_arn, std::nullopt, std::nullopt, 1);
    if (!existing.empty()) return existing.front();
    const auto engine = ecs.store.container_instances().engine("local");
    if (!engine) throw AwsError("ServerException", "The container engine has not been probed yet; retry shortly.", 500);
    store::ContainerInstanceRecord record;
    record.arn = container_instance_arn(scope, cluster_name, ecs.ids.hex(32));
    record.cluster_arn = cluster_arn;
    record.status = "ACTIVE";
    record.registered_at = ecs.clock.now();
    record.body = json{{"version", 1},
                       {"versionInfo",
                        {{"agentVersion", "ecsbox-" + std::string(ECSBOX_VERSION)},
                         {"agentHash", "ecsbox"},
                         {"dockerVersion", engine->runtime == "none" ? std::string("none (--runtime none)")
                                                                     : "DockerVersion: " + engine->docker_version}}},
                       {"registeredResources", resources_json({engine->cpu_units, engine->memory_mib})},
                       {"attributes",
                        {{{"name", "ecs.os-type"}, {"value", "linux"}},
                         {{"name", "ecs.cpu-architecture"}, {"value", "x86_64"}},
                         {{"name", "ecsbox.runtime"}, {"value", engine->runtime}}}},
                       {"attachments", json::array()}}
                      .dump();
    ecs.store.container_instances().put(scope, record);
    tx.commit();
    return record;
}

json list_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    if (input.contains("filter"))
        throw invalid_parameter("ecsbox does not evaluate cluster query language filters yet.");
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto after = page.after && page.after->is_string() ? std::optional(page.after->get<std::string>()) : std::nullopt;
    std::optional<std::string> status;
    if (input.contains("status")) status = input["status"].get<std::string>();
    auto rows = ecs.store.container_instances().list(cluster_arn, status, after, page.limit + 1);
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    json out = {{"containerInstanceArns", json::array()}};
    for (const auto& row : rows) out["containerInstanceArns"].push_back(row.arn);
    if (more) out["nextToken"] = protocol::encode_page_token(rows.back().arn);
    return out;
}

json describe_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    const auto& ids = input.at("containerInstances");
    if (ids.size() > k_max_describe)
        throw invalid_parameter("DescribeContainerInstances accepts at most 100 container instances.");
    bool with_tags = false;
    for (const auto& field : input.value("include", json::array())) with_tags |= field == "TAGS";
    json instances = json::array(), failures = json::array();
    for (const auto& id : ids) {
        const auto identifier = id.get<std::string>();
        const auto arn = parse_ecs_arn(identifier)
                             ? identifier
                             : container_instance_arn(scope, cluster_name_of(cluster_arn), identifier);
        const auto record = ecs.store.container_instances().find(arn);
        if (record && record->cluster_arn == cluster_arn) instances.push_back(instance_json(ecs, *record, with_tags));
        else failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
    }
    return {{"containerInstances", instances}, {"failures", failures}};
}

}  // namespace ecsbox::ecs

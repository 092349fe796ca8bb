#include "ecs/container_instances.hpp"

#include <algorithm>
#include <cctype>

#include "ecs/arns.hpp"
#include "ecs/clusters.hpp"
#include "ecs/errors.hpp"
#include "ecs/tags.hpp"
#include "protocol/pagination.hpp"
#include "scheduler/instances.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{100, 100};
constexpr std::size_t k_max_describe = 100;
constexpr std::size_t k_max_attributes = 10;

// The request's cluster (default "default") -> its ARN.
std::string require_cluster(EcsContext& ecs, const store::Scope& scope, const json& input) {
    return require_active_cluster(ecs, scope, input.value("cluster", "default")).arn;
}

json instance_json(EcsContext& ecs, const store::ContainerInstanceRecord& record, bool with_tags) {
    json out = json::parse(record.body);
    for (const auto& a : ecs.store.container_instances().attributes(record.cluster_arn, record.arn)) {
        json attribute = {{"name", a.name}};
        if (a.value) attribute["value"] = *a.value;
        out["attributes"].push_back(attribute);
    }
    const auto engine = scheduler::is_local(record) ? ecs.store.container_instances().engine("local") : std::nullopt;
    const auto load = ecs.store.tasks().load_on(record.arn);
    out["containerInstanceArn"] = record.arn;
    out["status"] = record.status;
    out["agentConnected"] = engine && engine->connected;
    out["remainingResources"] = scheduler::resources_json(scheduler::remaining_resources(record, load));
    out["runningTasksCount"] = load.running;
    out["pendingTasksCount"] = load.pending;
    out["registeredAt"] = record.registered_at;
    if (with_tags) out["tags"] = tags_to_json(ecs.store.tags().list(record.arn));
    return out;
}

// An instance named by ARN or id within the cluster -> its ARN.
std::string instance_arn_of(const store::Scope& scope, const std::string& cluster_arn, const std::string& identifier) {
    return parse_ecs_arn(identifier) ? identifier : container_instance_arn(scope, cluster_name_of(cluster_arn), identifier);
}

std::optional<store::ContainerInstanceRecord> find_instance(EcsContext& ecs, const std::string& cluster_arn,
                                                            const std::string& arn) {
    auto record = ecs.store.container_instances().find(arn);
    if (!record || record->cluster_arn != cluster_arn || record->status == "INACTIVE") return std::nullopt;
    return record;
}

// Attribute names and values as ECS allows them.
void check_attribute(const json& attribute) {
    const auto name = attribute.value("name", "");
    const bool name_ok = !name.empty() && name.size() <= 128 &&
                         std::all_of(name.begin(), name.end(), [](char c) {
                             return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
                                    c == '/' || c == '\\';
                         });
    if (!name_ok) throw invalid_parameter("Invalid attribute name '" + name + "'.");
    if (!attribute.contains("value")) return;
    const auto value = attribute["value"].get<std::string>();
    const bool value_ok = !value.empty() && value.size() <= 128 && value.front() != ' ' && value.back() != ' ' &&
                          std::all_of(value.begin(), value.end(), [](char c) {
                              return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.@/\\: ").find(c) != std::string_view::npos;
                          });
    if (!value_ok) throw invalid_parameter("Invalid attribute value '" + value + "' for attribute " + name + ".");
}

// The container instance an attribute of a request targets (by ARN or id), which must exist.
std::string require_attribute_target(EcsContext& ecs, const store::Scope& scope, const std::string& cluster_arn,
                                     const json& attribute) {
    if (attribute.value("targetType", "container-instance") != "container-instance" || !attribute.contains("targetId"))
        throw invalid_parameter("Attributes need a targetId of a container instance.");
    const auto arn = instance_arn_of(scope, cluster_arn, attribute["targetId"].get<std::string>());
    if (!find_instance(ecs, cluster_arn, arn))
        throw AwsError("TargetNotFoundException", "Could not find the container instance " + arn + ".");
    return arn;
}

// An attribute as ECS answers it: the target spelled out in full.
json echo_attribute(json attribute, const std::string& target_arn) {
    attribute["targetId"] = target_arn;
    attribute["targetType"] = "container-instance";
    return attribute;
}

}  // namespace

json list_container_instances(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    std::optional<scheduler::ClusterQuery> filter;
    if (input.contains("filter")) {
        try {
            filter = scheduler::ClusterQuery::parse(input["filter"].get<std::string>());
        } catch (const scheduler::ClusterQueryError& e) {
            throw invalid_parameter("Invalid filter '" + input["filter"].get<std::string>() + "': " + e.what() + ".");
        }
    }
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto after = page.after && page.after->is_string() ? std::optional(page.after->get<std::string>()) : std::nullopt;
    std::optional<std::string> status;
    if (input.contains("status")) status = input["status"].get<std::string>();
    // A filter can drop rows, so read on until a page (plus one, to know there is more) matched.
    std::vector<store::ContainerInstanceRecord> rows;
    for (auto cursor = after;;) {
        auto batch = ecs.store.container_instances().list(cluster_arn, status, cursor, page.limit + 1);
        for (auto& row : batch)
            if (rows.size() <= page.limit && (!filter || filter->matches(scheduler::instance_facts(ecs.store, row)))) rows.push_back(row);
        if (batch.size() <= page.limit || rows.size() > page.limit) break;
        cursor = batch.back().arn;
    }
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

namespace ecsbox::ecs {

json update_container_instances_state(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    const auto status = input.at("status").get<std::string>();
    if (status != "ACTIVE" && status != "DRAINING")
        throw invalid_parameter("Container instances can only be set to ACTIVE or DRAINING.");
    json instances = json::array(), failures = json::array();
    auto tx = ecs.store.transaction();
    for (const auto& id : input.at("containerInstances")) {
        const auto arn = instance_arn_of(scope, cluster_arn, id.get<std::string>());
        auto record = find_instance(ecs, cluster_arn, arn);
        if (!record) {
            failures.push_back({{"arn", arn}, {"reason", "MISSING"}});
            continue;
        }
        record->status = status;
        ecs.store.container_instances().put(scope, *record);
        instances.push_back(instance_json(ecs, *record, false));
    }
    tx.commit();
    return {{"containerInstances", instances}, {"failures", failures}};
}

json register_container_instance(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    store::ContainerInstanceRecord record;
    record.cluster_arn = cluster_arn;
    record.arn = container_instance_arn(scope, cluster_name_of(cluster_arn), ecs.ids.hex(32));
    if (input.contains("containerInstanceArn")) {
        // Re-registration names an instance of this cluster; the local engine's is ecsbox's own.
        record.arn = input["containerInstanceArn"].get<std::string>();
        const auto arn = parse_ecs_arn(record.arn);
        const auto existing = ecs.store.container_instances().find(record.arn);
        if (!arn || arn->resource_type != "container-instance" || arn->region != scope.region ||
            arn->account != scope.account || record.arn != container_instance_arn(scope, cluster_name_of(cluster_arn),
                                                                                    arn->resource_id.substr(arn->resource_id.find('/') + 1)))
            throw invalid_parameter("containerInstanceArn must be a container instance ARN of cluster " + cluster_arn + ".");
        if (existing && scheduler::is_local(*existing))
            throw invalid_parameter("The container instance " + record.arn + " is the local engine's and cannot be re-registered.");
    }
    record.status = "ACTIVE";
    record.registered_at = ecs.clock.now();
    json attributes = json::array();
    for (const auto& a : input.value("attributes", json::array())) {
        check_attribute(a);
        attributes.push_back(a);
    }
    // An instance registered through the API has no agent behind it here: nothing is placed on it.
    record.body = json{{"version", 1},
                       {"versionInfo", input.value("versionInfo", json::object())},
                       {"registeredResources", input.value("totalResources", json::array())},
                       {"attributes", attributes},
                       {"attachments", json::array()}}
                      .dump();
    auto tx = ecs.store.transaction();
    ecs.store.container_instances().put(scope, record);
    add_tags(ecs, record.arn, tags_from_request(input.value("tags", json::array())));
    tx.commit();
    return {{"containerInstance", instance_json(ecs, record, false)}};
}

json deregister_container_instance(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    const auto arn = instance_arn_of(scope, cluster_arn, input.at("containerInstance").get<std::string>());
    auto tx = ecs.store.transaction();
    auto record = find_instance(ecs, cluster_arn, arn);
    if (!record) throw invalid_parameter("The referenced container instance " + arn + " was not found.");
    if (!input.value("force", false) && !ecs.store.tasks().active_on(arn).empty())
        throw invalid_parameter("Found running tasks on the instance; deregister with force to leave them running.");
    const auto out = instance_json(ecs, *record, false);
    record->status = "INACTIVE";
    ecs.store.container_instances().put(scope, *record);
    tx.commit();
    json answer = out;
    answer["status"] = "INACTIVE";
    return {{"containerInstance", answer}};
}

json put_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    const auto& attributes = input.at("attributes");
    if (attributes.size() > k_max_attributes) throw invalid_parameter("PutAttributes accepts at most 10 attributes.");
    auto tx = ecs.store.transaction();
    json out = json::array();
    for (const auto& a : attributes) {
        check_attribute(a);
        const auto arn = require_attribute_target(ecs, scope, cluster_arn, a);
        store::AttributeRecord record{"container-instance", arn, a["name"].get<std::string>(), std::nullopt};
        if (a.contains("value")) record.value = a["value"].get<std::string>();
        ecs.store.container_instances().put_attribute(cluster_arn, record);
        out.push_back(echo_attribute(a, arn));
    }
    tx.commit();
    return {{"attributes", out}};
}

json delete_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    auto tx = ecs.store.transaction();
    json out = json::array();
    for (const auto& a : input.at("attributes")) {
        const auto arn = require_attribute_target(ecs, scope, cluster_arn, a);
        ecs.store.container_instances().delete_attribute(cluster_arn, arn, a.value("name", ""));
        out.push_back(echo_attribute(a, arn));
    }
    tx.commit();
    return {{"attributes", out}};
}

json list_attributes(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster_arn = require_cluster(ecs, scope, input);
    if (input.at("targetType") != "container-instance") throw invalid_parameter("targetType must be container-instance.");
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto only_name = input.value("attributeName", std::string());
    const auto only_value = input.value("attributeValue", std::string());
    if (!only_value.empty() && only_name.empty())
        throw invalid_parameter("attributeValue can only be given together with attributeName.");
    // Built-in attributes first, then custom ones, each instance in ARN order; the page token
    // is the position in that list.
    json all = json::array();
    for (const auto& instance : ecs.store.container_instances().list(cluster_arn, std::nullopt, std::nullopt, 1000)) {
        const json described = instance_json(ecs, instance, false);
        for (const auto& a : described["attributes"]) {
            if (!only_name.empty() && a.value("name", "") != only_name) continue;
            if (!only_value.empty() && a.value("value", "") != only_value) continue;
            all.push_back(echo_attribute(a, instance.arn));
        }
    }
    const std::size_t start = page.after && page.after->is_number_unsigned() ? page.after->get<std::size_t>() : 0;
    json out = {{"attributes", json::array()}};
    for (std::size_t i = start; i < all.size() && i < start + page.limit; ++i) out["attributes"].push_back(all[i]);
    if (start + page.limit < all.size()) out["nextToken"] = protocol::encode_page_token(start + page.limit);
    return out;
}

}  // namespace ecsbox::ecs

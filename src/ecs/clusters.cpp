#include "ecs/clusters.hpp"

#include <algorithm>

#include "ecs/account_settings.hpp"
#include "ecs/arns.hpp"
#include "ecs/errors.hpp"
#include "ecs/tags.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecs {

namespace {

constexpr std::size_t k_max_describe = 100;
constexpr protocol::PageLimits k_list_limits{100, 100};
// Without capacity-provider APIs, the two AWS-managed providers are the only ones that exist.
constexpr std::string_view k_builtin_capacity_providers[] = {"FARGATE", "FARGATE_SPOT"};

struct Includes {
    bool tags = false, settings = false, statistics = false, configurations = false, attachments = false;
};

Includes read_includes(const json& input) {
    Includes inc;
    for (const auto& field : input.value("include", json::array())) {
        const auto name = field.get<std::string>();
        inc.tags |= name == "TAGS";
        inc.settings |= name == "SETTINGS";
        inc.statistics |= name == "STATISTICS";
        inc.configurations |= name == "CONFIGURATIONS";
        inc.attachments |= name == "ATTACHMENTS";
    }
    return inc;
}

// Everything a create, update or delete answers with.
constexpr Includes k_full{true, true, false, true, false};

void check_settings(const json& settings) {
    for (const auto& setting : settings) {
        const auto value = setting.value("value", std::string());
        if (value != "enabled" && value != "disabled" && value != "enhanced")
            throw invalid_parameter("Invalid value '" + value +
                                    "' for cluster setting containerInsights: use enabled, enhanced or disabled.");
    }
}

// Replaces settings of the same name, keeps the others.
void merge_settings(json& body, const json& settings) {
    auto& current = body["settings"];
    for (const auto& setting : settings) {
        const auto it = std::find_if(current.begin(), current.end(),
                                     [&](const json& s) { return s.at("name") == setting.at("name"); });
        if (it != current.end()) *it = setting;
        else current.push_back(setting);
    }
}

void check_capacity_providers(const json& providers, const json& strategy) {
    std::vector<std::string> names;
    for (const auto& provider : providers) {
        const auto name = provider.get<std::string>();
        if (std::find(std::begin(k_builtin_capacity_providers), std::end(k_builtin_capacity_providers), name) ==
            std::end(k_builtin_capacity_providers))
            throw invalid_parameter("The specified capacity provider '" + name + "' does not exist.");
        names.push_back(name);
    }
    int with_base = 0;
    for (const auto& item : strategy) {
        const auto name = item.value("capacityProvider", std::string());
        if (std::find(names.begin(), names.end(), name) == names.end())
            throw invalid_parameter("The specified capacity provider strategy cannot contain a capacity provider "
                                    "that is not associated with the cluster: " + name);
        if (item.value("base", 0) > 0) ++with_base;
    }
    if (with_base > 1)
        throw invalid_parameter("Only one capacity provider in a capacity provider strategy can have a base defined.");
}

// ECS answers a strategy item with its defaults spelled out.
json with_strategy_defaults(json strategy) {
    for (auto& item : strategy) {
        if (!item.contains("weight")) item["weight"] = 0;
        if (!item.contains("base")) item["base"] = 0;
    }
    return strategy;
}

struct ClusterCounts {
    std::size_t running = 0, pending = 0, stopping = 0, instances = 0, services = 0;
    // Statistics by launch type: FARGATE, or EC2 for every other (as ECS counts them).
    std::size_t running_fargate = 0, pending_fargate = 0;
    std::size_t active_ec2_services = 0, active_fargate_services = 0;
    std::size_t draining_ec2_services = 0, draining_fargate_services = 0;
};

ClusterCounts counts_of(EcsContext& ecs, const std::string& cluster_arn) {
    ClusterCounts counts;
    for (const auto& [key, n] : ecs.store.tasks().count_by_status(cluster_arn)) {
        const auto& [launch_type, status] = key;
        const bool fargate = launch_type == "FARGATE";
        if (status == "RUNNING") {
            counts.running += n;
            if (fargate) counts.running_fargate += n;
        } else if (status == "PROVISIONING" || status == "PENDING" || status == "ACTIVATING") {
            counts.pending += n;
            if (fargate) counts.pending_fargate += n;
        } else if (status != "STOPPED") {
            counts.stopping += n;
        }
    }
    for (const auto& [key, n] : ecs.store.services().count_by_launch_type(cluster_arn)) {
        const auto& [launch_type, status] = key;
        const bool fargate = launch_type == "FARGATE";
        if (status == "ACTIVE") {
            counts.services += n;
            (fargate ? counts.active_fargate_services : counts.active_ec2_services) += n;
        } else {
            (fargate ? counts.draining_fargate_services : counts.draining_ec2_services) += n;
        }
    }
    counts.instances = ecs.store.container_instances().count_registered(cluster_arn);
    return counts;
}

json statistics(const ClusterCounts& counts) {
    json stats = json::array();
    const std::pair<const char*, std::size_t> values[] = {
        {"runningEC2TasksCount", counts.running - counts.running_fargate},
        {"runningFargateTasksCount", counts.running_fargate},
        {"pendingEC2TasksCount", counts.pending - counts.pending_fargate},
        {"pendingFargateTasksCount", counts.pending_fargate},
        {"activeEC2ServiceCount", counts.active_ec2_services},
        {"activeFargateServiceCount", counts.active_fargate_services},
        {"drainingEC2ServiceCount", counts.draining_ec2_services},
        {"drainingFargateServiceCount", counts.draining_fargate_services}};
    for (const auto& [name, value] : values) stats.push_back({{"name", name}, {"value", std::to_string(value)}});
    return stats;
}

json cluster_json(EcsContext& ecs, const store::ClusterRecord& record, const Includes& inc) {
    const json body = json::parse(record.body);
    const auto counts = counts_of(ecs, record.arn);
    json out = {{"clusterArn", record.arn},
                {"clusterName", record.name},
                {"status", record.status},
                {"registeredContainerInstancesCount", counts.instances},
                {"runningTasksCount", counts.running},
                {"pendingTasksCount", counts.pending},
                {"activeServicesCount", counts.services},
                {"statistics", inc.statistics ? statistics(counts) : json::array()},
                {"capacityProviders", body.value("capacityProviders", json::array())},
                {"defaultCapacityProviderStrategy", body.value("defaultCapacityProviderStrategy", json::array())}};
    if (inc.tags) out["tags"] = tags_to_json(ecs.store.tags().list(record.arn));
    if (inc.settings) out["settings"] = body.value("settings", json::array());
    if (inc.configurations && body.contains("configuration")) out["configuration"] = body["configuration"];
    if (inc.attachments) out["attachments"] = json::array();
    if (body.contains("serviceConnectDefaults")) out["serviceConnectDefaults"] = body["serviceConnectDefaults"];
    return out;
}

void save(EcsContext& ecs, const store::Scope& scope, store::ClusterRecord& record, const json& body) {
    record.body = body.dump();
    ecs.store.clusters().put(scope, record);
}

}  // namespace

store::ClusterRecord require_active_cluster(EcsContext& ecs, const store::Scope& scope, const std::string& identifier) {
    const auto name = cluster_name_from(scope, identifier);
    auto record = name ? ecs.store.clusters().find(scope, *name) : std::nullopt;
    if (!record || record->status != "ACTIVE") throw cluster_not_found();
    return *record;
}

store::ClusterRecord require_request_cluster(EcsContext& ecs, const store::Scope& scope, const json& input) {
    return require_active_cluster(ecs, scope, input.value("cluster", std::string("default")));
}

json create_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto name = input.value("clusterName", std::string("default"));
    if (!is_ecs_name(name))
        throw invalid_parameter("Cluster name can have up to 255 letters (uppercase and lowercase), numbers, "
                                "hyphens, and underscores: '" + name + "' is not a valid name.");
    const auto tags = tags_from_request(input.value("tags", json::array()));
    const auto settings = input.value("settings", json::array());
    check_settings(settings);
    const auto providers = input.value("capacityProviders", json::array());
    const auto strategy = with_strategy_defaults(input.value("defaultCapacityProviderStrategy", json::array()));
    check_capacity_providers(providers, strategy);

    auto tx = ecs.store.transaction();
    // CreateCluster is idempotent on the name: an ACTIVE cluster is answered as it is.
    if (auto existing = ecs.store.clusters().find(scope, name); existing && existing->status == "ACTIVE")
        return {{"cluster", cluster_json(ecs, *existing, k_full)}};

    json body = {{"settings", json::array({{{"name", "containerInsights"},
                                            {"value", effective_setting(ecs, call, root_principal(call),
                                                                        "containerInsights")}}})},
                 {"capacityProviders", providers},
                 {"defaultCapacityProviderStrategy", strategy}};
    merge_settings(body, settings);
    if (input.contains("configuration")) body["configuration"] = input["configuration"];
    if (input.contains("serviceConnectDefaults")) body["serviceConnectDefaults"] = input["serviceConnectDefaults"];

    store::ClusterRecord record{cluster_arn(scope, name), name, "ACTIVE", {}, ecs.clock.now()};
    ecs.store.tags().remove_all(record.arn);  // a recreated cluster starts without the old one's tags
    save(ecs, scope, record, body);
    add_tags(ecs, record.arn, tags);
    tx.commit();
    return {{"cluster", cluster_json(ecs, record, k_full)}};
}

json describe_clusters(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    auto identifiers = input.value("clusters", json::array());
    if (identifiers.empty()) identifiers.push_back("default");
    if (identifiers.size() > k_max_describe)
        throw invalid_parameter("DescribeClusters accepts at most " + std::to_string(k_max_describe) + " clusters.");
    const auto inc = read_includes(input);

    json clusters = json::array(), failures = json::array();
    for (const auto& id : identifiers) {
        const auto identifier = id.get<std::string>();
        const auto name = cluster_name_from(scope, identifier);
        const auto record = name ? ecs.store.clusters().find(scope, *name) : std::nullopt;
        if (record) {
            clusters.push_back(cluster_json(ecs, *record, inc));
        } else {
            const bool is_arn = parse_ecs_arn(identifier).has_value();
            failures.push_back({{"arn", is_arn ? identifier : cluster_arn(scope, identifier)}, {"reason", "MISSING"}});
        }
    }
    return {{"clusters", clusters}, {"failures", failures}};
}

json list_clusters(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto after = page.after && page.after->is_string() ? std::optional(page.after->get<std::string>())
                                                             : std::nullopt;
    auto rows = ecs.store.clusters().list_active(scope_of(call), after, page.limit + 1);
    json out = {{"clusterArns", json::array()}};
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    for (const auto& row : rows) out["clusterArns"].push_back(row.arn);
    if (more) out["nextToken"] = protocol::encode_page_token(rows.back().name);
    return out;
}

json update_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    auto tx = ecs.store.transaction();
    auto record = require_active_cluster(ecs, scope, input.at("cluster").get<std::string>());
    json body = json::parse(record.body);
    if (input.contains("settings")) {
        check_settings(input["settings"]);
        merge_settings(body, input["settings"]);
    }
    if (input.contains("configuration")) body["configuration"] = input["configuration"];
    if (input.contains("serviceConnectDefaults")) body["serviceConnectDefaults"] = input["serviceConnectDefaults"];
    save(ecs, scope, record, body);
    tx.commit();
    return {{"cluster", cluster_json(ecs, record, k_full)}};
}

json update_cluster_settings(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    check_settings(input.at("settings"));
    auto tx = ecs.store.transaction();
    auto record = require_active_cluster(ecs, scope, input.at("cluster").get<std::string>());
    json body = json::parse(record.body);
    merge_settings(body, input["settings"]);
    save(ecs, scope, record, body);
    tx.commit();
    return {{"cluster", cluster_json(ecs, record, k_full)}};
}

json put_cluster_capacity_providers(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    check_capacity_providers(input.at("capacityProviders"), input.at("defaultCapacityProviderStrategy"));
    auto tx = ecs.store.transaction();
    auto record = require_active_cluster(ecs, scope, input.at("cluster").get<std::string>());
    json body = json::parse(record.body);
    body["capacityProviders"] = input["capacityProviders"];
    body["defaultCapacityProviderStrategy"] = with_strategy_defaults(input["defaultCapacityProviderStrategy"]);
    save(ecs, scope, record, body);
    tx.commit();
    return {{"cluster", cluster_json(ecs, record, k_full)}};
}

json delete_cluster(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    auto tx = ecs.store.transaction();
    auto record = require_active_cluster(ecs, scope, input.at("cluster").get<std::string>());
    const auto counts = counts_of(ecs, record.arn);
    if (counts.services + counts.draining_ec2_services + counts.draining_fargate_services > 0)
        throw AwsError("ClusterContainsServicesException",
                       "The Cluster cannot be deleted while Services are active.");
    if (counts.running + counts.pending + counts.stopping > 0)
        throw AwsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
    // The local engine's registration in the cluster goes with it, as a deregistration would.
    for (auto& instance : ecs.store.container_instances().list(record.arn, std::nullopt, std::nullopt, 10000)) {
        instance.status = "INACTIVE";
        ecs.store.container_instances().put(scope, instance);
    }
    record.status = "INACTIVE";
    ecs.store.clusters().put(scope, record);
    tx.commit();
    return {{"cluster", cluster_json(ecs, record, k_full)}};
}

}  // namespace ecsbox::ecs

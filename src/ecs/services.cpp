#include "ecs/services.hpp"

#include "ecs/arns.hpp"
#include "ecs/clusters.hpp"
#include "ecs/errors.hpp"
#include "ecs/service_shapes.hpp"
#include "ecs/tags.hpp"
#include "ecs/tasks.hpp"
#include "protocol/pagination.hpp"
#include "scheduler/deployments.hpp"
#include "scheduler/placement.hpp"
#include "scheduler/task_factory.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{10, 100};
constexpr std::size_t k_max_describe = 10;

AwsError unsupported(const std::string& message) { return {"UnsupportedFeatureException", message}; }

// ECS's own deployment controller with a rolling update is what ecsbox runs; other controllers,
// strategies and integrations answer a clear refusal instead of being accepted and ignored.
void require_supported(const json& input) {
    const auto controller = input.value("deploymentController", json::object()).value("type", std::string("ECS"));
    if (controller != "ECS")
        throw unsupported("The " + controller + " deployment controller is not supported by ecsbox; use the ECS controller.");
    const auto strategy = input.value("deploymentConfiguration", json::object()).value("strategy", std::string("ROLLING"));
    if (strategy != "ROLLING")
        throw unsupported("The " + strategy + " deployment strategy is not available in ecsbox yet; use ROLLING.");
    if (!input.value("serviceRegistries", json::array()).empty())
        throw unsupported("Service discovery registries are not available in ecsbox.");
    if (input.value("serviceConnectConfiguration", json::object()).value("enabled", false))
        throw unsupported("Service Connect is not available in ecsbox.");
    for (const char* member : {"volumeConfigurations", "vpcLatticeConfigurations"})
        if (!input.value(member, json::array()).empty())
            throw unsupported(std::string(member) + " are not available in ecsbox.");
}

// deploymentConfiguration with ECS's defaults for the scheduling strategy laid under `given`.
json deployment_configuration(const json& current, const json& given, const std::string& scheduling) {
    json config = current.is_object() ? current : json::object();
    if (!config.contains("deploymentCircuitBreaker")) config["deploymentCircuitBreaker"] = {{"enable", false}, {"rollback", false}};
    if (!config.contains("maximumPercent")) config["maximumPercent"] = scheduling == "DAEMON" ? 100 : 200;
    if (!config.contains("minimumHealthyPercent")) config["minimumHealthyPercent"] = scheduling == "DAEMON" ? 0 : 100;
    if (!config.contains("strategy")) config["strategy"] = "ROLLING";
    for (auto& [key, value] : given.items()) config[key] = value;
    const auto max = config["maximumPercent"].get<std::int64_t>(), min = config["minimumHealthyPercent"].get<std::int64_t>();
    if (min < 0 || min > 100) throw invalid_parameter("minimumHealthyPercent must be between 0 and 100.");
    if (scheduling == "DAEMON" && max != 100)
        throw invalid_parameter("The maximumPercent of a service using the DAEMON scheduling strategy must be 100.");
    if (max < 100) throw invalid_parameter("maximumPercent must be at least 100.");
    const auto threshold = config["deploymentCircuitBreaker"].value("thresholdConfiguration", json::object());
    if (!threshold.empty() && threshold.value("value", 1) < 1)
        throw invalid_parameter("The circuit breaker's threshold value must be at least 1.");
    return config;
}

std::string service_name_of(const std::string& identifier) {
    if (identifier.rfind("arn:", 0) != 0) return identifier;
    return identifier.substr(identifier.rfind('/') + 1);
}

// The launch type or capacity provider strategy a service's tasks use: the request's, else the
// cluster's default capacity provider strategy, else EC2.
void set_launch(json& body, const json& input, const store::ClusterRecord& cluster) {
    if (input.contains("capacityProviderStrategy") && !input["capacityProviderStrategy"].empty()) {
        body["capacityProviderStrategy"] = input["capacityProviderStrategy"];
        return;
    }
    if (input.contains("launchType")) {
        body["launchType"] = input["launchType"];
        return;
    }
    const auto defaults = json::parse(cluster.body).value("defaultCapacityProviderStrategy", json::array());
    if (!defaults.empty())
        body["capacityProviderStrategy"] = defaults;
    else
        body["launchType"] = "EC2";
}

// Checks what the service's tasks would be launched with, as RunTask checks a launch.
void check_launch(const json& body, const store::TaskDefinitionRecord& definition, const std::string& scheduling) {
    const auto task_definition = json::parse(definition.body);
    const auto launch_type = scheduler::effective_launch_type(body);
    require_launchable(task_definition, launch_type, body);
    if (scheduling == "DAEMON" && launch_type == "FARGATE")
        throw invalid_parameter("The DAEMON scheduling strategy is not supported with the FARGATE launch type.");
    value_or_throw(scheduler::read_placement(body.value("placementConstraints", json::array()),
                                             body.value("placementStrategy", json::array()), task_definition, launch_type));
}

// A service's loadBalancers, checked as ECS checks them: a target group of the account and
// region that a load balancer uses, of the target type the network mode needs, and a container
// of the task definition with that port mapped. Classic load balancers do not exist here.
json check_load_balancers(EcsContext& ecs, const store::Scope& scope, const json& load_balancers,
                          const store::TaskDefinitionRecord& definition) {
    auto task_definition = json::parse(definition.body);
    if (!task_definition.contains("containerDefinitions")) task_definition["containerDefinitions"] = json::array();
    const auto network_mode = task_definition.value("networkMode", std::string("bridge"));
    json checked = json::array();
    for (const auto& entry : load_balancers) {
        if (entry.contains("loadBalancerName"))
            throw unsupported("Classic Load Balancers are not available in ecsbox; name an ELBv2 target group "
                              "(targetGroupArn) instead of loadBalancerName.");
        const auto arn = entry.value("targetGroupArn", std::string());
        if (arn.empty()) throw invalid_parameter("targetGroupArn must be specified for each load balancer.");
        const auto group = ecs.store.target_groups().find(arn);
        if (!group || !(group->scope == scope))
            throw invalid_parameter("The target group with targetGroupArn " + arn + " does not exist.");
        if (ecs.store.load_balancers().forwarding_to(arn).empty())
            throw invalid_parameter("The target group with targetGroupArn " + arn +
                                    " does not have an associated load balancer.");
        const auto target_type = json::parse(group->body).value("TargetType", std::string("instance"));
        if ((network_mode == "awsvpc") != (target_type == "ip"))
            throw invalid_parameter("The provided target group " + arn + " has target type " + target_type +
                                    ", which is incompatible with the " + network_mode +
                                    " network mode specified in the task definition.");
        const auto name = entry.value("containerName", std::string());
        const auto port = entry.value("containerPort", 0);
        if (name.empty() || port == 0)
            throw invalid_parameter("containerName and containerPort must be specified for each load balancer.");
        const json* container = nullptr;
        for (const auto& c : task_definition["containerDefinitions"])
            if (c.value("name", std::string()) == name) container = &c;
        if (!container)
            throw invalid_parameter("The container " + name + " does not exist in the task definition.");
        bool mapped = false;
        for (const auto& mapping : container->value("portMappings", json::array()))
            mapped |= mapping.value("containerPort", 0) == port;
        if (!mapped)
            throw invalid_parameter("The container " + name + " did not have a container port " +
                                    std::to_string(port) + " defined.");
        checked.push_back({{"targetGroupArn", arn}, {"containerName", name}, {"containerPort", port}});
    }
    return checked;
}

void check_desired_count(const json& input, const std::string& scheduling, bool required) {
    if (scheduling == "DAEMON") {
        if (input.contains("desiredCount"))
            throw invalid_parameter("The daemon scheduling strategy does not support a desired count for services.");
        if (!input.value("placementStrategy", json::array()).empty())
            throw invalid_parameter("The daemon scheduling strategy does not support placement strategies.");
        return;
    }
    if (required && !input.contains("desiredCount"))
        throw invalid_parameter("desiredCount is required for a service using the REPLICA scheduling strategy.");
    if (input.value("desiredCount", 0) < 0) throw invalid_parameter("desiredCount must be 0 or more.");
}

// A DAEMON service's desired count from the start: the ACTIVE instances its constraints admit
// (the scheduler keeps it current as instances come and go).
std::int64_t daemon_count(EcsContext& ecs, const store::Scope& scope, const store::ClusterRecord& cluster,
                          const std::string& name, const json& body, const store::TaskDefinitionRecord& definition) {
    const auto rules = value_or_throw(scheduler::read_placement(body.value("placementConstraints", json::array()),
                                                                json::array(), json::parse(definition.body),
                                                                scheduler::effective_launch_type(body)));
    std::int64_t count = 0;
    for (const auto& instance : value_or_throw(scheduler::ensure_local_instances(ecs.store, ecs.clock, ecs.ids, scope,
                                                                                 cluster.arn, ecs.local_instances)))
        if (instance.status == "ACTIVE" &&
            !scheduler::placement_refusal(rules, scheduler::instance_facts(ecs.store, instance), "service:" + name))
            ++count;
    return count;
}

void start_new_deployment(EcsContext& ecs, const store::ServiceRecord& service) {
    const auto body = json::parse(service.body);
    scheduler::start_deployment(
        ecs.store, scheduler::new_deployment(service, body["taskDefinition"].get<std::string>(), ecs.ids, ecs.clock.now()));
}

}  // namespace

std::optional<store::ServiceRecord> find_service(EcsContext& ecs, const store::Scope& scope,
                                                 const store::ClusterRecord& cluster, const std::string& identifier) {
    if (identifier.rfind("arn:", 0) == 0) {
        const auto parsed = parse_ecs_arn(identifier);
        if (!parsed || parsed->resource_type != "service" || parsed->region != scope.region ||
            parsed->account != scope.account)
            return std::nullopt;
        // The long format names the cluster; the old short one does not.
        const auto slash = parsed->resource_id.find('/');
        if (slash != std::string::npos && parsed->resource_id.substr(0, slash) != cluster.name) return std::nullopt;
    }
    return ecs.store.services().find(service_arn(scope, cluster.name, service_name_of(identifier)));
}

json create_service(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto name = input.at("serviceName").get<std::string>();
    if (!is_ecs_name(name))
        throw invalid_parameter("Service name must be 1 to 255 letters, numbers, hyphens and underscores.");
    const auto cluster = require_request_cluster(ecs, scope, input);
    const auto scheduling = input.value("schedulingStrategy", std::string("REPLICA"));
    require_supported(input);
    require_one_launch_choice(input);
    check_desired_count(input, scheduling, true);
    if (!input.contains("taskDefinition"))
        throw invalid_parameter("A task definition is required for a service using the ECS deployment controller.");
    const auto definition = require_task_definition(ecs, scope, input["taskDefinition"].get<std::string>());

    json body = {{"taskDefinition", definition.arn},
                 {"loadBalancers", json::array()},
                 {"serviceRegistries", json::array()},
                 {"deploymentConfiguration",
                  deployment_configuration(json(), input.value("deploymentConfiguration", json::object()), scheduling)},
                 {"placementConstraints", input.value("placementConstraints", json::array())},
                 {"placementStrategy", input.value("placementStrategy", json::array())},
                 {"deploymentController", {{"type", "ECS"}}},
                 {"createdBy", root_principal(call)},
                 {"enableECSManagedTags", input.value("enableECSManagedTags", false)},
                 {"propagateTags", input.value("propagateTags", "NONE")},
                 {"enableExecuteCommand", input.value("enableExecuteCommand", false)}};
    set_launch(body, input, cluster);
    if (scheduler::effective_launch_type(body) == "FARGATE") {
        body["platformVersion"] = input.value("platformVersion", "LATEST");
        body["platformFamily"] = "Linux";
    } else if (input.contains("platformVersion")) {
        throw invalid_parameter("The platform version must be null when specifying an EC2 launch type.");
    }
    for (const char* member : {"networkConfiguration", "healthCheckGracePeriodSeconds", "availabilityZoneRebalancing"})
        if (input.contains(member)) body[member] = input[member];
    if (input.contains("role")) body["roleArn"] = input["role"];
    check_launch(body, definition, scheduling);
    body["loadBalancers"] = check_load_balancers(ecs, scope, input.value("loadBalancers", json::array()), definition);
    const auto tags = tags_from_request(input.value("tags", json::array()));
    const auto token = input.value("clientToken", "");
    if (!token.empty()) body["ecsboxClientToken"] = token;

    auto tx = ecs.store.transaction();
    const auto arn = service_arn(scope, cluster.name, name);
    if (const auto existing = ecs.store.services().find(arn); existing && existing->status != "INACTIVE") {
        // A retry of the same request answers what the first one did.
        if (!token.empty() && json::parse(existing->body).value("ecsboxClientToken", "") == token)
            return {{"service", service_json(ecs, *existing)}};
        throw invalid_parameter("Creation of service was not idempotent.");
    }
    store::ServiceRecord record;
    record.arn = arn;
    record.cluster_arn = cluster.arn;
    record.name = name;
    record.status = "ACTIVE";
    record.desired_count = scheduling == "DAEMON" ? daemon_count(ecs, scope, cluster, name, body, definition)
                                                  : input.value("desiredCount", 0);
    record.scheduling_strategy = scheduling;
    record.launch_type = scheduler::effective_launch_type(body);
    record.body = body.dump();
    record.created_at = record.updated_at = ecs.clock.now();
    record.scope = scope;
    ecs.store.services().insert(scope, record);
    ecs.store.tags().remove_all(arn);
    add_tags(ecs, arn, tags);
    start_new_deployment(ecs, record);
    tx.commit();
    ecs.desired_state_changed();
    return {{"service", service_json(ecs, record)}};
}

json update_service(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_request_cluster(ecs, scope, input);
    auto tx = ecs.store.transaction();
    auto found = find_service(ecs, scope, cluster, input.at("service").get<std::string>());
    if (!found) throw service_not_found();
    auto service = std::move(*found);
    if (service.status != "ACTIVE") throw service_not_active();
    require_supported(input);
    check_desired_count(input, service.scheduling_strategy, false);
    require_one_launch_choice(input);

    json body = json::parse(service.body);
    const json before = body;
    bool redeploy = input.value("forceNewDeployment", false);
    auto definition = ecs.store.task_definitions().find_by_arn(body["taskDefinition"].get<std::string>());
    if (input.contains("taskDefinition")) {
        definition = require_task_definition(ecs, scope, input["taskDefinition"].get<std::string>());
        body["taskDefinition"] = definition->arn;
    }
    if (input.contains("capacityProviderStrategy")) {
        body.erase("launchType");
        body["capacityProviderStrategy"] = input["capacityProviderStrategy"];
    }
    for (const char* member : {"networkConfiguration", "placementConstraints", "placementStrategy", "platformVersion",
                               "healthCheckGracePeriodSeconds", "enableExecuteCommand", "enableECSManagedTags",
                               "propagateTags", "availabilityZoneRebalancing"})
        if (input.contains(member)) body[member] = input[member];
    if (input.contains("deploymentConfiguration"))
        body["deploymentConfiguration"] =
            deployment_configuration(body["deploymentConfiguration"], input["deploymentConfiguration"], service.scheduling_strategy);
    for (const char* member : scheduler::k_launch_members)
        if (body.value(member, json()) != before.value(member, json())) redeploy = true;
    if (body["taskDefinition"] != before["taskDefinition"]) redeploy = true;
    if (!definition) throw client_error("The service's task definition no longer exists; name one to deploy.");
    if (input.contains("loadBalancers")) body["loadBalancers"] = input["loadBalancers"];
    if (body["loadBalancers"] != before.value("loadBalancers", json::array())) redeploy = true;
    if (redeploy) {
        check_launch(body, *definition, service.scheduling_strategy);
        body["loadBalancers"] = check_load_balancers(ecs, scope, body["loadBalancers"], *definition);
    }

    if (input.contains("desiredCount")) service.desired_count = input["desiredCount"].get<std::int64_t>();
    service.body = body.dump();
    service.launch_type = scheduler::effective_launch_type(body);
    service.updated_at = ecs.clock.now();
    ecs.store.services().update(service);
    if (redeploy) start_new_deployment(ecs, service);
    tx.commit();
    ecs.desired_state_changed();
    return {{"service", service_json(ecs, service)}};
}

json delete_service(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_request_cluster(ecs, scope, input);
    auto tx = ecs.store.transaction();
    auto service = find_service(ecs, scope, cluster, input.at("service").get<std::string>());
    if (!service) throw service_not_found();
    if (service->status == "INACTIVE") throw service_not_active();
    if (service->status == "ACTIVE") {
        if (service->scheduling_strategy == "REPLICA" && service->desired_count > 0 && !input.value("force", false))
            throw invalid_parameter("The service cannot be stopped while it is scaled above 0.");
        service->status = "DRAINING";
        service->desired_count = 0;
        service->updated_at = ecs.clock.now();
        ecs.store.services().update(*service);
    }
    tx.commit();
    ecs.desired_state_changed();
    return {{"service", service_json(ecs, *service)}};
}

json describe_services(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_request_cluster(ecs, scope, input);
    const auto& identifiers = input.at("services");
    if (identifiers.empty() || identifiers.size() > k_max_describe)
        throw invalid_parameter("DescribeServices accepts between 1 and 10 services.");
    bool with_tags = false;
    for (const auto& field : input.value("include", json::array())) with_tags |= field == "TAGS";
    json services = json::array(), failures = json::array();
    for (const auto& identifier : identifiers) {
        const auto id = identifier.get<std::string>();
        if (const auto service = find_service(ecs, scope, cluster, id))
            services.push_back(service_json(ecs, *service, with_tags));
        else
            failures.push_back({{"arn", id.rfind("arn:", 0) == 0 ? id : service_arn(scope, cluster.name, id)},
                                {"reason", "MISSING"}});
    }
    return {{"services", services}, {"failures", failures}};
}

json list_services(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto cluster = require_request_cluster(ecs, scope, input);
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    store::ServiceQuery query;
    query.cluster_arn = cluster.arn;
    if (input.contains("launchType")) query.launch_type = input["launchType"].get<std::string>();
    if (input.contains("schedulingStrategy")) query.scheduling_strategy = input["schedulingStrategy"].get<std::string>();
    if (page.after && page.after->is_string()) query.after_arn = page.after->get<std::string>();
    query.limit = page.limit + 1;
    auto rows = ecs.store.services().list(query);
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    json out = {{"serviceArns", json::array()}};
    for (const auto& row : rows) out["serviceArns"].push_back(row.arn);
    if (more) out["nextToken"] = protocol::encode_page_token(rows.back().arn);
    return out;
}

json list_services_by_namespace(EcsContext&, const protocol::CallContext&, const json& input) {
    protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    // Cloud Map namespaces cannot be created here, so no name or ARN finds one.
    throw AwsError("NamespaceNotFoundException",
                   "The namespace '" + input.at("namespace").get<std::string>() + "' was not found.");
}

std::size_t purge_inactive_services(EcsContext& ecs) {
    auto tx = ecs.store.transaction();
    const auto arns = ecs.store.services().purge_inactive(ecs.clock.now() - ecs.stopped_task_retention);
    for (const auto& arn : arns) ecs.store.tags().remove_all(arn);
    tx.commit();
    return arns.size();
}

}  // namespace ecsbox::ecs

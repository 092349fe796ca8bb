#include "ecs/tags.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "ecs/arns.hpp"
#include "ecs/errors.hpp"

namespace ecsbox::ecs {

namespace {

constexpr std::size_t k_max_tags = 50;

bool has_reserved_prefix(const std::string& text) {
    return text.size() >= 4 && std::tolower(static_cast<unsigned char>(text[0])) == 'a' &&
           std::tolower(static_cast<unsigned char>(text[1])) == 'w' &&
           std::tolower(static_cast<unsigned char>(text[2])) == 's' && text[3] == ':';
}

// Tags may only be put on resources that exist; which resources exist is a per-type question.
void require_taggable(EcsContext& ecs, const protocol::CallContext& call, const std::string& resource_arn) {
    const auto scope = scope_of(call);
    const auto arn = parse_ecs_arn(resource_arn);
    if (!arn) throw invalid_parameter("Invalid ARN: " + resource_arn);
    if (arn->region != scope.region || arn->account != scope.account) throw resource_not_found();
    if (arn->resource_type == "cluster") {
        const auto cluster = ecs.store.clusters().find(scope, arn->resource_id);
        if (!cluster || cluster->status != "ACTIVE") throw cluster_not_found();
        return;
    }
    if (arn->resource_type == "task-definition") {
        const auto ref = parse_task_definition_ref(scope, resource_arn);
        if (!ref || !ref->revision) throw invalid_parameter("Invalid ARN: " + resource_arn);
        const auto row = ecs.store.task_definitions().find(scope, ref->family, *ref->revision);
        if (!row || row->status == "DELETE_IN_PROGRESS") throw resource_not_found();
        return;
    }
    if (arn->resource_type == "task") {
        const auto task = ecs.store.tasks().find(resource_arn);
        if (!task || task->scope.account != scope.account || task->scope.region != scope.region) throw resource_not_found();
        return;
    }
    if (arn->resource_type == "container-instance") {
        const auto instance = ecs.store.container_instances().find(resource_arn);
        if (!instance || instance->status == "INACTIVE") throw resource_not_found();
        return;
    }
    // Services and capacity providers cannot be created in ecsbox yet, so none exists to tag.
    throw resource_not_found();
}

}  // namespace

store::TagList tags_from_request(const json& tags) {
    store::TagList list;
    std::set<std::string> keys;
    for (const auto& tag : tags) {
        const auto key = tag.value("key", std::string());
        const auto value = tag.value("value", std::string());
        if (key.empty()) throw invalid_parameter("Tag keys must be between 1 and 128 characters.");
        if (has_reserved_prefix(key) || has_reserved_prefix(value))
            throw invalid_parameter("Tag keys and values may not begin with the reserved prefix 'aws:'.");
        if (!keys.insert(key).second) throw invalid_parameter("Duplicate tag key: " + key);
        list.emplace_back(key, value);
    }
    return list;
}

json tags_to_json(const store::TagList& tags) {
    json out = json::array();
    for (const auto& [key, value] : tags) out.push_back({{"key", key}, {"value", value}});
    return out;
}

void add_tags(EcsContext& ecs, const std::string& resource_arn, const store::TagList& tags) {
    auto tx = ecs.store.transaction();
    ecs.store.tags().put(resource_arn, tags);
    if (ecs.store.tags().count(resource_arn) > k_max_tags)
        throw invalid_parameter("A resource can have at most " + std::to_string(k_max_tags) + " tags.");
    tx.commit();
}

json tag_resource(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("resourceArn").get<std::string>();
    require_taggable(ecs, call, arn);
    add_tags(ecs, arn, tags_from_request(input.at("tags")));
    return json::object();
}

json untag_resource(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("resourceArn").get<std::string>();
    require_taggable(ecs, call, arn);
    ecs.store.tags().remove(arn, input.at("tagKeys").get<std::vector<std::string>>());
    return json::object();
}

json list_tags_for_resource(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto arn = input.at("resourceArn").get<std::string>();
    require_taggable(ecs, call, arn);
    return {{"tags", tags_to_json(ecs.store.tags().list(arn))}};
}

}  // namespace ecsbox::ecs

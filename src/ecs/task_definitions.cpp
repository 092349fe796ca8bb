#include "ecs/task_definitions.hpp"

#include "ecs/arns.hpp"
#include "ecs/errors.hpp"
#include "ecs/tags.hpp"
#include "ecs/task_definition_rules.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecs {

namespace {

constexpr protocol::PageLimits k_list_limits{100, 100};
constexpr std::size_t k_max_delete = 10;

json task_definition_json(const store::TaskDefinitionRecord& record) {
    json td = json::parse(record.body);
    td["status"] = record.status;
    if (record.deregistered_at) td["deregisteredAt"] = *record.deregistered_at;
    if (record.delete_requested_at) td["deleteRequestedAt"] = *record.delete_requested_at;
    return td;
}

// Resolves "family", "family:revision" or an ARN. A bare family means its newest ACTIVE revision.
std::optional<store::TaskDefinitionRecord> find(EcsContext& ecs, const store::Scope& scope,
                                                const std::string& identifier) {
    const auto ref = parse_task_definition_ref(scope, identifier);
    if (!ref) return std::nullopt;
    auto& defs = ecs.store.task_definitions();
    return ref->revision ? defs.find(scope, ref->family, *ref->revision) : defs.find_latest_active(scope, ref->family);
}

// Deregister and delete need a revision; a bare family is not enough.
std::optional<store::TaskDefinitionRecord> find_revision(EcsContext& ecs, const store::Scope& scope,
                                                         const std::string& identifier) {
    const auto ref = parse_task_definition_ref(scope, identifier);
    if (ref && !ref->revision)
        throw client_error("Invalid task definition '" + identifier +
                           "': specify a revision (family:revision) or a full task definition ARN.");
    return ref ? find(ecs, scope, identifier) : std::nullopt;
}

}  // namespace

json register_task_definition(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    json td = normalize_task_definition(input);
    const auto tags = tags_from_request(input.value("tags", json::array()));
    const auto family = td["family"].get<std::string>();

    auto tx = ecs.store.transaction();
    store::TaskDefinitionRecord record;
    record.family = family;
    record.revision = ecs.store.task_definitions().next_revision(scope, family);
    record.arn = task_definition_arn(scope, family, record.revision);
    record.status = "ACTIVE";
    record.registered_at = ecs.clock.now();
    td["taskDefinitionArn"] = record.arn;
    td["revision"] = record.revision;
    td["registeredAt"] = record.registered_at;
    td["registeredBy"] = root_principal(call);
    record.body = td.dump();
    ecs.store.task_definitions().insert(scope, record);
    add_tags(ecs, record.arn, tags);
    tx.commit();

    json out = {{"taskDefinition", task_definition_json(record)}};
    if (!tags.empty()) out["tags"] = tags_to_json(tags);
    return out;
}

json describe_task_definition(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto record = find(ecs, scope_of(call), input.at("taskDefinition").get<std::string>());
    if (!record) throw client_error("Unable to describe task definition.");
    json out = {{"taskDefinition", task_definition_json(*record)}};
    for (const auto& field : input.value("include", json::array()))
        if (field == "TAGS") out["tags"] = tags_to_json(ecs.store.tags().list(record->arn));
    return out;
}

json list_task_definitions(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    store::TaskDefinitionQuery query;
    if (input.contains("familyPrefix")) query.family = input["familyPrefix"].get<std::string>();
    query.status = input.value("status", "ACTIVE");
    query.descending = input.value("sort", "ASC") == "DESC";
    query.limit = page.limit + 1;
    if (page.after) {
        if (!page.after->is_array() || page.after->size() != 2 || !(*page.after)[0].is_string() ||
            !(*page.after)[1].is_number_integer())
            throw invalid_parameter("Invalid nextToken.");
        query.after = store::TaskDefinitionKey{(*page.after)[0].get<std::string>(), (*page.after)[1].get<std::int64_t>()};
    }
    auto rows = ecs.store.task_definitions().list(scope_of(call), query);
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    json out = {{"taskDefinitionArns", json::array()}};
    for (const auto& row : rows) out["taskDefinitionArns"].push_back(row.arn);
    if (more) out["nextToken"] = protocol::encode_page_token(json::array({rows.back().family, rows.back().revision}));
    return out;
}

json list_task_definition_families(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto page = protocol::read_page_request(input, k_list_limits, "InvalidParameterException");
    const auto status = input.value("status", "ALL");
    const auto filter = status == "ACTIVE"     ? store::FamilyFilter::active
                        : status == "INACTIVE" ? store::FamilyFilter::inactive
                                               : store::FamilyFilter::all;
    const auto after = page.after && page.after->is_string() ? std::optional(page.after->get<std::string>())
                                                             : std::nullopt;
    auto families = ecs.store.task_definitions().list_families(
        scope_of(call), input.value("familyPrefix", std::string()), filter, after, page.limit + 1);
    const bool more = families.size() > page.limit;
    if (more) families.pop_back();
    json out = {{"families", families}};
    if (more) out["nextToken"] = protocol::encode_page_token(families.back());
    return out;
}

json deregister_task_definition(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    auto tx = ecs.store.transaction();
    auto record = find_revision(ecs, scope, input.at("taskDefinition").get<std::string>());
    if (!record || record->status == "DELETE_IN_PROGRESS")
        throw client_error("The specified task definition does not exist.");
    if (record->status == "ACTIVE") {
        record->status = "INACTIVE";
        record->deregistered_at = ecs.clock.now();
        ecs.store.task_definitions().deregister(record->arn, *record->deregistered_at);
    }
    tx.commit();
    return {{"taskDefinition", task_definition_json(*record)}};
}

json delete_task_definitions(EcsContext& ecs, const protocol::CallContext& call, const json& input) {
    const auto scope = scope_of(call);
    const auto& identifiers = input.at("taskDefinitions");
    if (identifiers.empty() || identifiers.size() > k_max_delete)
        throw invalid_parameter("DeleteTaskDefinitions accepts between 1 and " + std::to_string(k_max_delete) +
                                " task definitions.");
    json deleted = json::array(), failures = json::array();
    auto tx = ecs.store.transaction();
    for (const auto& id : identifiers) {
        const auto identifier = id.get<std::string>();
        auto record = find_revision(ecs, scope, identifier);
        const auto ref = parse_task_definition_ref(scope, identifier);
        const auto arn = record ? record->arn
                         : ref  ? task_definition_arn(scope, ref->family, ref->revision.value_or(0))
                                : identifier;
        if (!record) {
            failures.push_back({{"arn", arn}, {"reason", "The specified task definition does not exist."}});
        } else if (record->status == "ACTIVE") {
            failures.push_back({{"arn", arn},
                                {"reason", "The specified task definition is still in ACTIVE status. Please "
                                           "deregister the target and try again."}});
        } else {
            if (record->status == "INACTIVE") {
                record->status = "DELETE_IN_PROGRESS";
                record->delete_requested_at = ecs.clock.now();
                ecs.store.task_definitions().mark_delete_in_progress(record->arn, *record->delete_requested_at);
            }
            deleted.push_back(task_definition_json(*record));
        }
    }
    tx.commit();
    return {{"taskDefinitions", deleted}, {"failures", failures}};
}

std::size_t purge_deleted_task_definitions(EcsContext& ecs) {
    auto tx = ecs.store.transaction();
    const auto arns = ecs.store.task_definitions().purge_deleted(ecs.clock.now() - ecs.task_definition_deletion_delay);
    for (const auto& arn : arns) ecs.store.tags().remove_all(arn);
    tx.commit();
    return arns.size();
}

}  // namespace ecsbox::ecs

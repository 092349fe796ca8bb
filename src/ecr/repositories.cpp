#include "ecr/repositories.hpp"

#include <set>

#include "ecr/arns.hpp"
#include "ecr/errors.hpp"
#include "ecr/tags.hpp"
#include "protocol/pagination.hpp"
#include "registry/reference.hpp"

namespace ecsbox::ecr {

namespace {

constexpr protocol::PageLimits k_describe_limits{100, 1000};

bool with_exclusion(const std::string& mutability) {
    return mutability == "IMMUTABLE_WITH_EXCLUSION" || mutability == "MUTABLE_WITH_EXCLUSION";
}

// Tag mutability as the body keeps it. Exclusion filters go with the *_WITH_EXCLUSION settings
// and only with them, as ECR insists.
void apply_mutability(json& body, const std::string& mutability, const json& input) {
    const auto filters = input.value("imageTagMutabilityExclusionFilters", json::array());
    if (with_exclusion(mutability) && filters.empty())
        throw invalid_parameter("imageTagMutabilityExclusionFilters must be specified when imageTagMutability is " +
                                mutability + ".");
    if (!with_exclusion(mutability) && !filters.empty())
        throw invalid_parameter("imageTagMutabilityExclusionFilters can only be specified when imageTagMutability "
                                "is IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION.");
    body["imageTagMutability"] = mutability;
    if (filters.empty()) body.erase("imageTagMutabilityExclusionFilters");
    else body["imageTagMutabilityExclusionFilters"] = filters;
}

json encryption_configuration(const json& input) {
    if (!input.contains("encryptionConfiguration")) return {{"encryptionType", "AES256"}};
    json config = input["encryptionConfiguration"];
    if (config.value("encryptionType", std::string()) == "AES256" && config.contains("kmsKey"))
        throw invalid_parameter("Invalid parameter at 'encryptionConfiguration': a kmsKey may only be given when "
                                "encryptionType is KMS or KMS_DSSE.");
    return config;
}

json scanning_configuration(const json& input) {
    const auto config = input.value("imageScanningConfiguration", json::object());
    return {{"scanOnPush", config.value("scanOnPush", false)}};
}

void save_body(EcrContext& ecr, const store::EcrRepositoryRecord& record, const json& body) {
    ecr.store.ecr_repositories().update_body(record.id, body.dump());
}

}  // namespace

std::string registry_id_of(const protocol::CallContext& call, const json& input) {
    const auto registry_id = input.value("registryId", call.account_id);
    if (registry_id != call.account_id)
        throw invalid_parameter("Invalid parameter at 'registryId': ecsbox serves only the registry of account " +
                                call.account_id + ", not " + registry_id + ".");
    return registry_id;
}

store::EcrRepositoryRecord require_repository(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto registry_id = registry_id_of(call, input);
    const auto name = input.at("repositoryName").get<std::string>();
    auto record = ecr.store.ecr_repositories().find(scope_of(call), name);
    if (!record) throw repository_not_found(name, registry_id);
    return *record;
}

json repository_json(const EcrContext& ecr, const store::EcrRepositoryRecord& record) {
    const json body = json::parse(record.body);
    json out = {{"repositoryArn", record.arn},
                {"registryId", record.scope.account},
                {"repositoryName", record.name},
                {"repositoryUri", repository_uri(ecr.registry_host, record.name)},
                {"createdAt", record.created_at},
                {"imageTagMutability", body.value("imageTagMutability", "MUTABLE")},
                {"imageScanningConfiguration", body.value("imageScanningConfiguration", json{{"scanOnPush", false}})},
                {"encryptionConfiguration", body.value("encryptionConfiguration", json{{"encryptionType", "AES256"}})}};
    if (body.contains("imageTagMutabilityExclusionFilters"))
        out["imageTagMutabilityExclusionFilters"] = body["imageTagMutabilityExclusionFilters"];
    return out;
}

json create_repository(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto registry_id = registry_id_of(call, input);
    const auto scope = scope_of(call);
    const auto name = input.at("repositoryName").get<std::string>();
    // The model's pattern has already passed it; the registry's own rule decides what /v2/ will
    // route, so a name it would refuse is never created.
    if (!registry::valid_repository_name(name))
        throw invalid_parameter("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must be a "
                                "valid repository name': " + name);
    const auto tags = tags_from_request(input.value("tags", json::array()));

    json body = json::object();
    apply_mutability(body, input.value("imageTagMutability", std::string("MUTABLE")), input);
    body["imageScanningConfiguration"] = scanning_configuration(input);
    body["encryptionConfiguration"] = encryption_configuration(input);

    store::EcrRepositoryRecord record;
    record.scope = scope;
    record.name = name;
    record.arn = repository_arn(scope, name);
    record.created_at = ecr.clock.now();
    record.body = body.dump();

    auto tx = ecr.store.transaction();
    const auto id = ecr.store.ecr_repositories().insert(record);
    if (!id) throw repository_already_exists(name, registry_id);
    record.id = *id;
    ecr.store.tags().remove_all(record.arn);  // a re-created repository starts without the old one's tags
    add_tags(ecr, record.arn, tags);
    tx.commit();
    return {{"repository", repository_json(ecr, record)}};
}

json describe_repositories(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto registry_id = registry_id_of(call, input);
    const auto scope = scope_of(call);
    const auto names = input.value("repositoryNames", json::array());
    json repositories = json::array();

    if (!names.empty()) {
        if (input.contains("maxResults") || input.contains("nextToken"))
            throw invalid_parameter("maxResults and nextToken cannot be used together with repositoryNames.");
        std::set<std::string> seen;
        for (const auto& item : names) {
            const auto name = item.get<std::string>();
            if (!seen.insert(name).second) continue;
            const auto record = ecr.store.ecr_repositories().find(scope, name);
            if (!record) throw repository_not_found(name, registry_id);
            repositories.push_back(repository_json(ecr, *record));
        }
        return {{"repositories", repositories}};
    }

    const auto page = protocol::read_page_request(input, k_describe_limits, "InvalidParameterException");
    const auto after = page.after && page.after->is_string() ? std::optional(page.after->get<std::string>())
                                                             : std::nullopt;
    auto rows = ecr.store.ecr_repositories().list(scope, after, page.limit + 1);
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    for (const auto& row : rows) repositories.push_back(repository_json(ecr, row));
    json out = {{"repositories", repositories}};
    if (more) out["nextToken"] = protocol::encode_page_token(rows.back().name);
    return out;
}

json delete_repository(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    if (!input.value("force", false) && ecr.store.ecr_images().count(record.id) > 0)
        throw repository_not_empty(record.name, record.scope.account);
    // Images, tags, blob links and uploads go with the row; blob files are left to the collector.
    ecr.store.ecr_repositories().remove(record.id);
    ecr.store.tags().remove_all(record.arn);
    tx.commit();
    return {{"repository", repository_json(ecr, record)}};
}

json put_image_tag_mutability(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    json body = json::parse(record.body);
    apply_mutability(body, input.at("imageTagMutability").get<std::string>(), input);
    save_body(ecr, record, body);
    tx.commit();
    json out = {{"registryId", record.scope.account},
                {"repositoryName", record.name},
                {"imageTagMutability", body["imageTagMutability"]}};
    if (body.contains("imageTagMutabilityExclusionFilters"))
        out["imageTagMutabilityExclusionFilters"] = body["imageTagMutabilityExclusionFilters"];
    return out;
}

json put_image_scanning_configuration(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    json body = json::parse(record.body);
    body["imageScanningConfiguration"] = scanning_configuration(input);
    save_body(ecr, record, body);
    tx.commit();
    return {{"registryId", record.scope.account},
            {"repositoryName", record.name},
            {"imageScanningConfiguration", body["imageScanningConfiguration"]}};
}

}  // namespace ecsbox::ecr

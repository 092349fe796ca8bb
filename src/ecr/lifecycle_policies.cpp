#include "ecr/lifecycle_policies.hpp"

#include <algorithm>

#include "ecr/errors.hpp"
#include "ecr/image_ids.hpp"
#include "ecr/lifecycle_policy.hpp"
#include "ecr/repositories.hpp"
#include "protocol/pagination.hpp"

namespace ecsbox::ecr {

namespace {

constexpr std::size_t k_list_batch = 1000;
constexpr protocol::PageLimits k_preview_limits{100, 100};

std::vector<LifecycleImage> lifecycle_images(EcrContext& ecr, std::int64_t repository_id) {
    std::vector<LifecycleImage> out;
    std::optional<std::string> after;
    for (;;) {
        const auto rows = ecr.store.ecr_images().list(repository_id, store::EcrTagFilter::any, after, k_list_batch);
        for (const auto& row : rows) out.push_back({row.digest, row.tags, row.pushed_at});
        if (rows.size() < k_list_batch) return out;
        after = rows.back().digest;
    }
}

LifecyclePolicy parse_or_refuse(const std::string& text) {
    try {
        return parse_lifecycle_policy(text);
    } catch (const LifecyclePolicyError& e) {
        throw invalid_parameter(e.what());
    }
}

// Deletes the expired images of one repository. An image an index still lists waits until the
// index is gone (perhaps expired in the same run), so no index is left pointing at nothing.
std::size_t expire(EcrContext& ecr, const store::EcrRepositoryRecord& repo,
                   const std::vector<LifecycleExpiration>& expirations) {
    std::vector<std::string> pending;
    for (const auto& expiration : expirations) pending.push_back(expiration.digest);
    std::size_t deleted = 0;
    for (bool progress = true; progress && !pending.empty();) {
        progress = false;
        std::vector<std::string> waiting;
        for (const auto& digest : pending) {
            auto tx = ecr.store.transaction();
            if (!ecr.store.ecr_images().find_by_digest(repo.id, digest)) continue;  // gone meanwhile
            if (!ecr.store.ecr_images().referenced_by(repo.id, digest).empty()) {
                waiting.push_back(digest);
                continue;
            }
            ecr.registry.delete_manifest(repo, digest);
            tx.commit();
            ++deleted;
            progress = true;
        }
        pending = std::move(waiting);
    }
    return deleted;
}

json preview_result_json(const LifecycleExpiration& expiration) {
    json out = {{"imageDigest", expiration.digest},
                {"imagePushedAt", expiration.pushed_at},
                {"action", {{"type", "EXPIRE"}}},
                {"appliedRulePriority", expiration.rule_priority}};
    if (!expiration.tags.empty()) out["imageTags"] = expiration.tags;
    return out;
}

bool matches_image_id(const LifecycleExpiration& expiration, const json& image_id) {
    const auto digest = image_id.value("imageDigest", std::string());
    const auto tag = image_id.value("imageTag", std::string());
    if (!digest.empty() && digest != expiration.digest) return false;
    if (!tag.empty() && std::find(expiration.tags.begin(), expiration.tags.end(), tag) == expiration.tags.end())
        return false;
    return !digest.empty() || !tag.empty();
}

bool matches_tag_status(const LifecycleExpiration& expiration, const json& input) {
    const auto filter = input.value("filter", json::object());
    const auto status = filter.value("tagStatus", std::string("ANY"));
    if (status == "TAGGED") return !expiration.tags.empty();
    if (status == "UNTAGGED") return expiration.tags.empty();
    return true;
}

// A policy never applied yet reports the epoch as its last evaluation, as ECR does.
json policy_answer(const store::EcrRepositoryRecord& record, const std::string& text) {
    return {{"registryId", record.scope.account},
            {"repositoryName", record.name},
            {"lifecyclePolicyText", text},
            {"lastEvaluatedAt", record.lifecycle_evaluated_at.value_or(0.0)}};
}

}  // namespace

std::size_t apply_lifecycle_policies(EcrContext& ecr) {
    std::size_t deleted = 0;
    for (const auto& repo : ecr.store.ecr_repositories().list_all()) {
        if (!repo.lifecycle_policy) continue;
        const double now = ecr.clock.now();
        std::vector<LifecycleExpiration> expirations;
        try {
            expirations = evaluate_lifecycle_policy(parse_lifecycle_policy(*repo.lifecycle_policy),
                                                    lifecycle_images(ecr, repo.id), now);
        } catch (const LifecyclePolicyError&) {
            // Checked when it was put; a policy a later ecsbox reads differently is left alone.
            continue;
        }
        deleted += expire(ecr, repo, expirations);
        ecr.store.ecr_repositories().mark_lifecycle_evaluated(repo.id, now);
    }
    return deleted;
}

json put_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto text = input.at("lifecyclePolicyText").get<std::string>();
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    try {
        parse_lifecycle_policy(text);
    } catch (const LifecyclePolicyError& e) {
        throw invalid_parameter(e.what());
    }
    ecr.store.ecr_repositories().set_lifecycle_policy(record.id, text, ecr.clock.now());
    tx.commit();
    return {{"registryId", record.scope.account}, {"repositoryName", record.name}, {"lifecyclePolicyText", text}};
}

json get_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto record = require_repository(ecr, call, input);
    if (!record.lifecycle_policy) throw lifecycle_policy_not_found(record.name, record.scope.account);
    return policy_answer(record, *record.lifecycle_policy);
}

json delete_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    if (!record.lifecycle_policy) throw lifecycle_policy_not_found(record.name, record.scope.account);
    ecr.store.ecr_repositories().set_lifecycle_policy(record.id, std::nullopt, ecr.clock.now());
    tx.commit();
    return policy_answer(record, *record.lifecycle_policy);
}

json start_lifecycle_policy_preview(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    const auto text = input.contains("lifecyclePolicyText")
                          ? std::optional(input["lifecyclePolicyText"].get<std::string>())
                          : repo.lifecycle_policy;
    if (!text) throw lifecycle_policy_not_found(repo.name, repo.scope.account);
    const auto policy = parse_or_refuse(*text);
    // Evaluated at once; ECR answers IN_PROGRESS and the result is there by the first Get.
    ecr.lifecycle_previews->put(
        repo.id, {*text, evaluate_lifecycle_policy(policy, lifecycle_images(ecr, repo.id), ecr.clock.now())});
    return {{"registryId", repo.scope.account},
            {"repositoryName", repo.name},
            {"lifecyclePolicyText", *text},
            {"status", "IN_PROGRESS"}};
}

json get_lifecycle_policy_preview(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    const auto preview = ecr.lifecycle_previews->find(repo.id);
    if (!preview) throw lifecycle_policy_preview_not_found(repo.name, repo.scope.account);

    const auto image_ids = input.value("imageIds", json::array());
    if (!image_ids.empty() && (input.contains("maxResults") || input.contains("nextToken")))
        throw invalid_parameter("maxResults and nextToken cannot be used together with imageIds.");
    std::vector<const LifecycleExpiration*> selected;
    for (const auto& expiration : preview->expirations) {
        if (!matches_tag_status(expiration, input)) continue;
        if (!image_ids.empty() && std::none_of(image_ids.begin(), image_ids.end(), [&](const json& id) {
                return matches_image_id(expiration, id);
            }))
            continue;
        selected.push_back(&expiration);
    }

    // The preview is a fixed list, so a position in it is a stable page key.
    const auto page = protocol::read_page_request(input, k_preview_limits, "InvalidParameterException");
    std::size_t start = 0;
    if (page.after) {
        if (!page.after->is_number_unsigned()) throw invalid_parameter("Invalid nextToken.");
        start = page.after->get<std::size_t>();
    }
    const std::size_t limit = image_ids.empty() ? page.limit : selected.size();
    json results = json::array();
    for (std::size_t i = start; i < selected.size() && results.size() < limit; ++i)
        results.push_back(preview_result_json(*selected[i]));

    json out = {{"registryId", repo.scope.account},
                {"repositoryName", repo.name},
                {"lifecyclePolicyText", preview->policy_text},
                {"status", "COMPLETE"},
                {"previewResults", results},
                {"summary", {{"expiringImageTotalCount", preview->expirations.size()}}}};
    if (start + results.size() < selected.size()) out["nextToken"] = protocol::encode_page_token(start + results.size());
    return out;
}

}  // namespace ecsbox::ecr

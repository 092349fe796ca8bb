#include "ecr/lifecycle_policies.hpp"

#include "ecr/errors.hpp"
#include "ecr/lifecycle_policy.hpp"
#include "ecr/repositories.hpp"

namespace ecsbox::ecr {

namespace {

// A policy never applied yet reports the epoch as its last evaluation, as ECR does.
json policy_answer(const store::EcrRepositoryRecord& record, const std::string& text) {
    return {{"registryId", record.scope.account},
            {"repositoryName", record.name},
            {"lifecyclePolicyText", text},
            {"lastEvaluatedAt", record.lifecycle_evaluated_at.value_or(0.0)}};
}

}  // namespace

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

}  // namespace ecsbox::ecr

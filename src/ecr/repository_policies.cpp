#include "ecr/repository_policies.hpp"

#include "ecr/errors.hpp"
#include "ecr/repositories.hpp"

namespace ecsbox::ecr {

namespace {

AwsError invalid_policy(const std::string& why) {
    return invalid_parameter("Invalid parameter at 'PolicyText' failed to satisfy constraint: "
                             "'Invalid repository policy provided': " + why);
}

bool has_either(const json& statement, const char* a, const char* b) {
    return statement.contains(a) || statement.contains(b);
}

// The shape IAM requires of a resource policy: a JSON object whose Statement is one statement
// or a non-empty list of them, each with an Effect of Allow or Deny, a principal and an action.
void check_policy(const std::string& text) {
    const auto policy = json::parse(text, nullptr, false);
    if (policy.is_discarded() || !policy.is_object()) throw invalid_policy("the policy is not a JSON object");
    if (!policy.contains("Statement")) throw invalid_policy("the policy has no Statement");
    json statements = policy["Statement"];
    if (statements.is_object()) statements = json::array({statements});
    if (!statements.is_array() || statements.empty())
        throw invalid_policy("Statement must be a statement or a non-empty list of statements");
    for (const auto& statement : statements) {
        if (!statement.is_object()) throw invalid_policy("a statement is not a JSON object");
        const auto effect = statement.value("Effect", json());
        if (effect != "Allow" && effect != "Deny") throw invalid_policy("a statement's Effect must be Allow or Deny");
        if (!has_either(statement, "Principal", "NotPrincipal")) throw invalid_policy("a statement has no Principal");
        if (!has_either(statement, "Action", "NotAction")) throw invalid_policy("a statement has no Action");
    }
}

json policy_answer(const store::EcrRepositoryRecord& record, const std::string& text) {
    return {{"registryId", record.scope.account}, {"repositoryName", record.name}, {"policyText", text}};
}

}  // namespace

json set_repository_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto text = input.at("policyText").get<std::string>();
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    check_policy(text);
    ecr.store.ecr_repositories().set_policy(record.id, text);
    tx.commit();
    return policy_answer(record, text);
}

json get_repository_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto record = require_repository(ecr, call, input);
    if (!record.policy) throw repository_policy_not_found(record.name, record.scope.account);
    return policy_answer(record, *record.policy);
}

json delete_repository_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    auto tx = ecr.store.transaction();
    const auto record = require_repository(ecr, call, input);
    if (!record.policy) throw repository_policy_not_found(record.name, record.scope.account);
    ecr.store.ecr_repositories().set_policy(record.id, std::nullopt);
    tx.commit();
    return policy_answer(record, *record.policy);
}

}  // namespace ecsbox::ecr

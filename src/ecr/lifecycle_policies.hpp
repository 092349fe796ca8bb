#pragma once
// ECR lifecycle policies: PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy, the
// preview (StartLifecyclePolicyPreview, GetLifecyclePolicyPreview) and their application. The
// policy is checked by parse_lifecycle_policy (lifecycle_policy.hpp) and kept as sent; deleting
// what it expires is a janitor's job (apply_lifecycle_policies), never a handler's.
#include <cstddef>

#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

// Evaluates the lifecycle policy of every repository that has one, deletes the images it
// expires through the registry, and records the evaluation. Returns how many images went.
std::size_t apply_lifecycle_policies(EcrContext& ecr);

json put_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json get_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json delete_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json start_lifecycle_policy_preview(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json get_lifecycle_policy_preview(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

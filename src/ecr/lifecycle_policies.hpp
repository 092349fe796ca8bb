#pragma once
// ECR lifecycle policy operations: PutLifecyclePolicy, GetLifecyclePolicy, DeleteLifecyclePolicy.
// The policy is checked by parse_lifecycle_policy (lifecycle_policy.hpp) and kept as sent;
// applying it to images is a janitor's job, never a handler's.
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

json put_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json get_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json delete_lifecycle_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

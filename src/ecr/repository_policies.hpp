#pragma once
// ECR repository policies: SetRepositoryPolicy, GetRepositoryPolicy, DeleteRepositoryPolicy.
// ecsbox has no IAM, so a policy is checked for shape and kept, never enforced.
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

json set_repository_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json get_repository_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json delete_repository_policy(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

#pragma once
// ECR registry-level operations: DescribeRegistry. ecsbox replicates nowhere, so the
// replication configuration is always empty.
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

json describe_registry(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

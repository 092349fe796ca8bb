#pragma once
// ECR repositories: CreateRepository, DescribeRepositories, DeleteRepository,
// PutImageTagMutability, PutImageScanningConfiguration, and the lookups every repository-scoped
// operation shares (the request's registry, the named repository, its answer shape).
#include <string>

#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

// The registry a request names (registryId), which defaults to the caller's account. ecsbox has
// one registry per account, and callers are always that account: any other registryId is
// refused with InvalidParameterException.
std::string registry_id_of(const protocol::CallContext& call, const json& input);

// The repository `repositoryName` of the request's registry; RepositoryNotFoundException when absent.
store::EcrRepositoryRecord require_repository(EcrContext& ecr, const protocol::CallContext& call, const json& input);

// The Repository shape ECR answers with.
json repository_json(const EcrContext& ecr, const store::EcrRepositoryRecord& record);

json create_repository(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json describe_repositories(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json delete_repository(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json put_image_tag_mutability(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json put_image_scanning_configuration(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

#pragma once
// ECR repository ARNs (arn:aws:ecr:REGION:ACCOUNT:repository/NAME) and repository URIs.
// Pure functions.
#include <optional>
#include <string>
#include <string_view>

#include "store/scope.hpp"

namespace ecsbox::ecr {

struct RepositoryArn {
    store::Scope scope;
    std::string name;
};

std::string repository_arn(const store::Scope& scope, const std::string& name);
// nullopt unless `arn` is a well-formed ECR repository ARN (the name is not checked further).
std::optional<RepositoryArn> parse_repository_arn(std::string_view arn);

// "<registry_host>/<name>": what docker push and pull name the repository by.
std::string repository_uri(const std::string& registry_host, const std::string& name);

}  // namespace ecsbox::ecr

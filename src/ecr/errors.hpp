#pragma once
// The ECR errors handlers raise, with the codes ECR uses and messages worded as ECR words them
// (naming the repository and the registry, which is the account id).
#include <string>

#include "protocol/aws_error.hpp"

namespace ecsbox::ecr {

using protocol::AwsError;

inline AwsError invalid_parameter(const std::string& message) { return {"InvalidParameterException", message}; }
inline AwsError invalid_tag_parameter(const std::string& message) { return {"InvalidTagParameterException", message}; }
inline AwsError too_many_tags() {
    return {"TooManyTagsException", "A repository can have at most 50 tags."};
}

inline AwsError repository_not_found(const std::string& name, const std::string& registry_id) {
    return {"RepositoryNotFoundException",
            "The repository with name '" + name + "' does not exist in the registry with id '" + registry_id + "'"};
}
inline AwsError repository_already_exists(const std::string& name, const std::string& registry_id) {
    return {"RepositoryAlreadyExistsException",
            "The repository with name '" + name + "' already exists in the registry with id '" + registry_id + "'"};
}
inline AwsError repository_not_empty(const std::string& name, const std::string& registry_id) {
    return {"RepositoryNotEmptyException", "The repository with name '" + name + "' in registry with id '" +
                                               registry_id + "' cannot be deleted because it still contains images"};
}
inline AwsError repository_policy_not_found(const std::string& name, const std::string& registry_id) {
    return {"RepositoryPolicyNotFoundException", "Repository policy does not exist for the repository with name '" +
                                                     name + "' in the registry with id '" + registry_id + "'"};
}
inline AwsError lifecycle_policy_not_found(const std::string& name, const std::string& registry_id) {
    return {"LifecyclePolicyNotFoundException", "Lifecycle policy does not exist for the repository with name '" +
                                                    name + "' in the registry with id '" + registry_id + "'"};
}

}  // namespace ecsbox::ecr

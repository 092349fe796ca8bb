#pragma once
// ECR resource tags: TagResource, UntagResource, ListTagsForResource (repositories are ECR's
// only taggable resource), and the checks every tag list gets ([{Key, Value}], 128/256
// characters, no "aws:" prefix, no key twice, at most 50 per repository).
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

// Throws InvalidTagParameterException.
store::TagList tags_from_request(const json& tags);
json tags_to_json(const store::TagList& tags);
// Adds tags to a repository; TooManyTagsException (and nothing added) past 50.
void add_tags(EcrContext& ecr, const std::string& repository_arn, const store::TagList& tags);

json tag_resource(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json untag_resource(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json list_tags_for_resource(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

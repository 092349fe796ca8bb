#pragma once
// ECS resource tags: TagResource, UntagResource, ListTagsForResource, and the conversions every
// taggable resource shares (the request's [{key, value}] list, its limits and reserved prefix).
#include "ecs/ecs_context.hpp"

namespace ecsbox::ecs {

// Validates a request's tag list (no "aws:" prefix, no key twice). Throws InvalidParameterException.
store::TagList tags_from_request(const json& tags);
json tags_to_json(const store::TagList& tags);
// Adds tags to a resource, keeping it within ECS's 50 tags per resource.
void add_tags(EcsContext& ecs, const std::string& resource_arn, const store::TagList& tags);

json tag_resource(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json untag_resource(EcsContext& ecs, const protocol::CallContext& call, const json& input);
json list_tags_for_resource(EcsContext& ecs, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecs

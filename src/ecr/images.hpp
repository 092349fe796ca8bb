#pragma once
// ECR image operations: DescribeImages, ListImages, BatchGetImage, BatchDeleteImage, PutImage.
// Reads come from the store; every write goes through registry::Registry, so an image pushed
// with `docker push` and one put with PutImage are the same thing, checked the same way.
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

// The ImageDetail shape of DescribeImages.
json image_detail_json(const store::EcrRepositoryRecord& repo, const store::EcrImageRecord& image);

json describe_images(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json list_images(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json batch_get_image(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json batch_delete_image(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json put_image(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

#pragma once
// ECR layer operations: BatchCheckLayerAvailability, InitiateLayerUpload, UploadLayerPart,
// CompleteLayerUpload, GetDownloadUrlForLayer. Uploads are the registry's upload sessions (the
// same ones /v2/ uses), so a layer uploaded either way is a blob of the repository. ECR names
// an upload by a UUID; the registry's ids are the same 32 hex digits without the hyphens.
#include "ecr/ecr_context.hpp"

namespace ecsbox::ecr {

// Layer parts ECR asks clients to send (InitiateLayerUpload's partSize).
inline constexpr std::int64_t k_layer_part_size = 10 * 1024 * 1024;

json batch_check_layer_availability(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json initiate_layer_upload(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json upload_layer_part(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json complete_layer_upload(EcrContext& ecr, const protocol::CallContext& call, const json& input);
json get_download_url_for_layer(EcrContext& ecr, const protocol::CallContext& call, const json& input);

}  // namespace ecsbox::ecr

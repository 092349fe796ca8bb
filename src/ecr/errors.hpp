#pragma once
// The ECR errors handlers raise, with the codes ECR uses and messages worded as ECR words them
// (naming the repository and the registry, which is the account id).
#include <cstdint>
#include <string>
#include <vector>

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

// Images and layers.
inline std::string in_repository(const std::string& name, const std::string& registry_id) {
    return "the repository with name '" + name + "' in the registry with id '" + registry_id + "'";
}
inline std::string digest_list(const std::vector<std::string>& digests) {
    std::string out = "[";
    for (const auto& digest : digests) out += (out.size() > 1 ? ", " : "") + digest;
    return out + "]";
}
// `image_id` as ECR prints it: {imageDigest:'...', imageTag:'...'} with 'null' for an absent one.
inline AwsError image_not_found(const std::string& image_id, const std::string& name, const std::string& registry_id) {
    return {"ImageNotFoundException", "The image with imageId " + image_id +
                                          " does not exist within the repository with name '" + name +
                                          "' in the registry with id '" + registry_id + "'"};
}
inline AwsError image_already_exists(const std::string& digest, const std::string& tag, const std::string& name,
                                     const std::string& registry_id) {
    return {"ImageAlreadyExistsException", "Image with digest '" + digest + "'" +
                                               (tag.empty() ? "" : " and tag '" + tag + "'") +
                                               " already exists in " + in_repository(name, registry_id)};
}
inline AwsError image_tag_already_exists(const std::string& tag, const std::string& name) {
    return {"ImageTagAlreadyExistsException", "The image tag '" + tag + "' already exists in the '" + name +
                                                  "' repository and cannot be overwritten because the repository "
                                                  "is immutable."};
}
inline AwsError image_digest_does_not_match(const std::string& given, const std::string& actual) {
    return {"ImageDigestDoesNotMatchException",
            "Provided image digest '" + given + "' does not match the digest of the manifest, '" + actual + "'"};
}
inline AwsError layers_not_found(const std::vector<std::string>& digests, const std::string& name,
                                 const std::string& registry_id) {
    return {"LayersNotFoundException", "Layers with digests '" + digest_list(digests) +
                                           "' required for pushing image into repository with name '" + name +
                                           "' in the registry with id '" + registry_id + "' do not exist"};
}
inline AwsError layer_not_found(const std::string& digest, const std::string& name, const std::string& registry_id) {
    return {"LayersNotFoundException",
            "The layer with digest '" + digest + "' does not exist in " + in_repository(name, registry_id)};
}
inline AwsError referenced_images_not_found(const std::vector<std::string>& digests, const std::string& name,
                                            const std::string& registry_id) {
    return {"ReferencedImagesNotFoundException", "Images with digests '" + digest_list(digests) +
                                                     "' referenced by the manifest do not exist in " +
                                                     in_repository(name, registry_id)};
}
inline AwsError layer_inaccessible(const std::string& digest) {
    return {"LayerInaccessibleException", "The layer with digest '" + digest +
                                              "' is not available because it is not associated with an image"};
}
inline AwsError upload_not_found(const std::string& upload_id, const std::string& name,
                                 const std::string& registry_id) {
    return {"UploadNotFoundException",
            "Upload with id '" + upload_id + "' does not exist in " + in_repository(name, registry_id)};
}
inline AwsError empty_upload(const std::string& upload_id, const std::string& name, const std::string& registry_id) {
    return {"EmptyUploadException", "Upload with id '" + upload_id + "' in " + in_repository(name, registry_id) +
                                        " does not contain any layer parts"};
}
inline AwsError layer_part_too_small() {
    return {"LayerPartTooSmallException", "All layer parts except the last part should be at least 5MB."};
}
inline AwsError invalid_layer(const std::string& message) { return {"InvalidLayerException", message}; }
inline AwsError layer_already_exists(const std::string& digest, const std::string& name,
                                     const std::string& registry_id) {
    return {"LayerAlreadyExistsException",
            "Layer with digest '" + digest + "' already exists in " + in_repository(name, registry_id)};
}
// The error shape carries where the upload stands, so a client can resume after it.
inline AwsError invalid_layer_part(const std::string& message, const std::string& name, const std::string& registry_id,
                                   const std::string& upload_id, std::uint64_t size) {
    AwsError error{"InvalidLayerPartException", message};
    error.with("registryId", registry_id).with("repositoryName", name).with("uploadId", upload_id);
    if (size > 0) error.with("lastValidByteReceived", size - 1);
    return error;
}
inline AwsError lifecycle_policy_preview_not_found(const std::string& name, const std::string& registry_id) {
    return {"LifecyclePolicyPreviewNotFoundException",
            "There is no dry run for the repository with name '" + name + "' in the registry with id '" +
                registry_id + "'"};
}

}  // namespace ecsbox::ecr

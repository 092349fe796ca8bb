#pragma once
// ECR's ImageIdentifier ({imageDigest, imageTag}, either or both) resolved against a
// repository's images, with the ImageFailure codes and reasons ECR gives for the ones that do
// not resolve. Shared by the image operations and the lifecycle preview. Reads only.
#include <optional>
#include <string>
#include <string_view>

#include "ecr/ecr_context.hpp"
#include "store/ecr_images_store.hpp"

namespace ecsbox::ecr {

struct ImageLookup {
    std::optional<store::EcrImageRecord> image;
    // Set when `image` is absent: an ImageFailureCode and ECR's reason.
    std::string failure_code;
    std::string failure_reason;
    // Whether the identifier was malformed (no image could ever match it), as opposed to absent.
    bool malformed = false;
};

// ECR's digest format, '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+', for image and layer digests in requests.
bool is_ecr_digest(std::string_view digest);

ImageLookup find_image(store::Store& store, std::int64_t repository_id, const json& image_id);

// The ImageFailure shape for an identifier that did not resolve.
json image_failure(const json& image_id, const ImageLookup& lookup);

// An ImageIdentifier: the digest, and the tag when there is one.
json image_id_json(const std::string& digest, const std::optional<std::string>& tag = std::nullopt);

// {imageDigest:'sha256:...', imageTag:'null'}: the identifier as ECR's messages print it.
std::string image_id_text(const json& image_id);

}  // namespace ecsbox::ecr

#include "ecr/image_ids.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>


namespace ecsbox::ecr {

bool is_ecr_digest(std::string_view digest) {
    const auto colon = digest.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size()) return false;
    const auto algorithm = digest.substr(0, colon), hex = digest.substr(colon + 1);
    return std::all_of(algorithm.begin(), algorithm.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_+.", c); }) &&
           std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

ImageLookup find_image(store::Store& store, std::int64_t repository_id, const json& image_id) {
    const auto digest = image_id.value("imageDigest", std::string());
    const auto tag = image_id.value("imageTag", std::string());
    ImageLookup out;
    if (digest.empty() && tag.empty()) {
        out.failure_code = "MissingDigestAndTag";
        out.failure_reason = "Invalid request parameters: both tag and digest cannot be null";
        out.malformed = true;
        return out;
    }
    if (!digest.empty() && !is_ecr_digest(digest)) {
        out.failure_code = "InvalidImageDigest";
        out.failure_reason = "Invalid request parameters: image digest should satisfy the regex "
                             "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'";
        out.malformed = true;
        return out;
    }
    auto& images = store.ecr_images();
    auto image = digest.empty() ? images.find_by_tag(repository_id, tag) : images.find_by_digest(repository_id, digest);
    if (image && !digest.empty() && !tag.empty() && !std::ranges::binary_search(image->tags, tag)) {
        out.failure_code = "ImageTagDoesNotMatchDigest";
        out.failure_reason = "Invalid request parameters: given tag does not map to the given digest";
        return out;
    }
    if (!image) {
        out.failure_code = "ImageNotFound";
        out.failure_reason = "Requested image not found";
        return out;
    }
    out.image = std::move(image);
    return out;
}

json image_failure(const json& image_id, const ImageLookup& lookup) {
    return {{"imageId", image_id}, {"failureCode", lookup.failure_code}, {"failureReason", lookup.failure_reason}};
}

json image_id_json(const std::string& digest, const std::optional<std::string>& tag) {
    json out = {{"imageDigest", digest}};
    if (tag) out["imageTag"] = *tag;
    return out;
}

std::string image_id_text(const json& image_id) {
    const auto quoted = [&](const char* member) {
        return image_id.contains(member) ? "'" + image_id[member].get<std::string>() + "'" : std::string("'null'");
    };
    return "{imageDigest:" + quoted("imageDigest") + ", imageTag:" + quoted("imageTag") + "}";
}

}  // namespace ecsbox::ecr

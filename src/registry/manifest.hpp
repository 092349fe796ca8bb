#pragma once
// Image manifests as the registry and ECR see them: Docker image manifest v2 schema 2, Docker
// manifest lists, OCI image manifests and OCI image indexes. Parsing validates the structure
// and yields what the registry must check (referenced blobs and child manifests) and what ECR
// reports (media types, size). Pure functions; digests are computed by the caller.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ecsbox::registry {

namespace media_type {
inline constexpr std::string_view docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
}  // namespace media_type

// The largest manifest accepted (the reference registry's limit).
inline constexpr std::size_t k_max_manifest_bytes = 4 * 1024 * 1024;

class ManifestError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;  // what() says what is wrong, for the client
};

struct Descriptor {
    std::string media_type;
    std::string digest;
    std::uint64_t size = 0;
};

struct Manifest {
    std::string media_type;           // one of the four manifest types above
    std::string artifact_media_type;  // config.mediaType, or artifactType when set; "" for indexes
    std::optional<Descriptor> config;  // image manifests
    std::vector<Descriptor> layers;    // image manifests
    std::vector<Descriptor> manifests;  // lists and indexes
    std::optional<Descriptor> subject;

    bool is_index() const { return !manifests.empty() || config == std::nullopt; }
    // The blobs that must exist before the manifest is accepted: config and layers.
    std::vector<std::string> blob_digests() const;
    // What ECR reports as imageSizeInBytes of an image: config plus layers. (An index's is its
    // largest image's, which only the repository knows.)
    std::uint64_t image_size() const;
};

// Parses `bytes`. `content_type` is the Content-Type the client sent ("" when absent); when the
// body has a mediaType it must agree with it. Throws ManifestError for anything else: bad JSON,
// schemaVersion other than 2, missing or malformed descriptors, digests that are not sha256,
// an unknown or schema-1 media type, or more than k_max_manifest_bytes.
Manifest parse_manifest(std::string_view bytes, std::string_view content_type);

// Whether a manifest of `type` may be served to a client whose Accept header is `accept`
// (a comma-separated list, possibly with parameters and */*). An empty Accept takes anything.
bool accepts_media_type(std::string_view accept, std::string_view type);

}  // namespace ecsbox::registry

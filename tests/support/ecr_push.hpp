#pragma once
// Pushing through ECR's API as a client without Docker would: layers with InitiateLayerUpload,
// UploadLayerPart and CompleteLayerUpload, then a manifest naming them with PutImage. Digests
// are real sha256 of the bytes, so the registry's checks apply in full.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "registry/manifest.hpp"
#include "support/service_harness.hpp"
#include "util/base64.hpp"
#include "util/sha256.hpp"

namespace ecsbox::testing {

inline std::string sha256_digest(std::string_view bytes) { return "sha256:" + util::sha256_hex(bytes); }

// Uploads `bytes` in one part and returns its digest.
inline std::string push_layer(const ServiceHarness& ecr, const std::string& repository, const std::string& bytes) {
    const auto upload_id = ecr.ok("InitiateLayerUpload", {{"repositoryName", repository}})["uploadId"];
    ecr.ok("UploadLayerPart", {{"repositoryName", repository},
                               {"uploadId", upload_id},
                               {"partFirstByte", 0},
                               {"partLastByte", bytes.size() - 1},
                               {"layerPartBlob", util::base64_encode(bytes)}});
    const auto digest = sha256_digest(bytes);
    ecr.ok("CompleteLayerUpload",
           {{"repositoryName", repository}, {"uploadId", upload_id}, {"layerDigests", {digest}}});
    return digest;
}

// A Docker schema 2 manifest naming `config` and `layers` (which it does not upload).
inline std::string docker_manifest(const std::string& config, const std::vector<std::string>& layers) {
    nlohmann::json manifest = {
        {"schemaVersion", 2},
        {"mediaType", registry::media_type::docker_manifest},
        {"config",
         {{"mediaType", registry::media_type::docker_config}, {"size", config.size()}, {"digest", sha256_digest(config)}}},
        {"layers", nlohmann::json::array()}};
    for (const auto& layer : layers)
        manifest["layers"].push_back({{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"},
                                      {"size", layer.size()},
                                      {"digest", sha256_digest(layer)}});
    return manifest.dump();
}

// Uploads a config and the layers, and returns the manifest naming them (not yet put).
inline std::string push_image_blobs(const ServiceHarness& ecr, const std::string& repository, const std::string& config,
                                    const std::vector<std::string>& layers) {
    push_layer(ecr, repository, config);
    for (const auto& layer : layers) push_layer(ecr, repository, layer);
    return docker_manifest(config, layers);
}

// Uploads blobs and puts the image under `tag` ("" for none); returns its digest. `seed` makes
// the image distinct from others in the same test.
inline std::string push_image(const ServiceHarness& ecr, const std::string& repository, const std::string& tag,
                              const std::string& seed) {
    const auto manifest = push_image_blobs(ecr, repository, R"({"os":"linux","seed":")" + seed + "\"}",
                                           {"layer of " + seed});
    nlohmann::json input = {{"repositoryName", repository}, {"imageManifest", manifest}};
    if (!tag.empty()) input["imageTag"] = tag;
    ecr.ok("PutImage", input);
    return sha256_digest(manifest);
}

}  // namespace ecsbox::testing

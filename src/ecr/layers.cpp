#include "ecr/layers.hpp"

#include <algorithm>
#include <cctype>

#include "ecr/errors.hpp"
#include "ecr/image_ids.hpp"
#include "ecr/repositories.hpp"
#include "registry/reference.hpp"
#include "registry/routes.hpp"
#include "util/base64.hpp"

namespace ecsbox::ecr {

namespace {

constexpr std::size_t k_upload_id_hex = 32;

// 32 hex digits as ECR shows an upload id: 8-4-4-4-12.
std::string upload_id_out(const std::string& id) {
    if (id.size() != k_upload_id_hex) return id;
    return id.substr(0, 8) + "-" + id.substr(8, 4) + "-" + id.substr(12, 4) + "-" + id.substr(16, 4) + "-" +
           id.substr(20);
}

// The registry's id for an ECR upload id; "" when it cannot be one.
std::string upload_id_in(const std::string& text) {
    std::string id;
    for (const char c : text) {
        if (c == '-') continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
        id += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return id.size() == k_upload_id_hex ? id : "";
}

struct Upload {
    store::EcrRepositoryRecord repo;
    std::string id;      // the registry's
    std::string shown;   // as the request named it
    std::uint64_t size;  // bytes received so far
};

Upload require_upload(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    Upload upload{require_repository(ecr, call, input), {}, input.at("uploadId").get<std::string>(), 0};
    upload.id = upload_id_in(upload.shown);
    try {
        if (upload.id.empty()) throw registry::RegistryError(registry::ErrorCode::blob_upload_unknown, "");
        upload.size = ecr.registry.upload_size(upload.repo, upload.id);
    } catch (const registry::RegistryError& e) {
        if (e.code() != registry::ErrorCode::blob_upload_unknown) throw;
        throw upload_not_found(upload.shown, upload.repo.name, upload.repo.scope.account);
    }
    return upload;
}

std::uint64_t non_negative(const json& input, const char* member) {
    const auto value = input.at(member).get<std::int64_t>();
    if (value < 0) throw invalid_parameter(std::string("Invalid parameter at '") + member + "': must not be negative");
    return static_cast<std::uint64_t>(value);
}

}  // namespace

json batch_check_layer_availability(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    json layers = json::array();
    json failures = json::array();
    const auto& digests = input.at("layerDigests");
    for (const auto& item : digests) {
        const auto digest = item.get<std::string>();
        if (digest.empty()) {
            failures.push_back({{"layerDigest", digest},
                                {"failureCode", "MissingLayerDigest"},
                                {"failureReason", "The layer digest is empty."}});
            continue;
        }
        if (!is_ecr_digest(digest)) {
            failures.push_back({{"layerDigest", digest},
                                {"failureCode", "InvalidLayerDigest"},
                                {"failureReason", "Invalid layer digest."}});
            continue;
        }
        // A layer the repository does not have is UNAVAILABLE: the client uploads it then.
        json layer = {{"layerDigest", digest}, {"layerAvailability", "UNAVAILABLE"}};
        if (const auto size = ecr.registry.blob_size(repo, digest)) {
            layer["layerAvailability"] = "AVAILABLE";
            layer["layerSize"] = *size;
        }
        layers.push_back(std::move(layer));
    }
    return {{"layers", layers}, {"failures", failures}};
}

json initiate_layer_upload(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    return {{"uploadId", upload_id_out(ecr.registry.start_upload(repo))}, {"partSize", k_layer_part_size}};
}

json upload_layer_part(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto upload = require_upload(ecr, call, input);
    const auto& repo = upload.repo;
    const auto first = non_negative(input, "partFirstByte");
    const auto last = non_negative(input, "partLastByte");
    // The validator has already refused anything that is not base64.
    const auto bytes = util::base64_decode(input.at("layerPartBlob").get<std::string>()).value_or("");
    if (bytes.empty() || last < first || last - first + 1 != bytes.size())
        throw invalid_layer_part("The layer part size is not valid: bytes " + std::to_string(first) + " to " +
                                     std::to_string(last) + " do not match the " + std::to_string(bytes.size()) +
                                     " bytes sent.",
                                 repo.name, repo.scope.account, upload.shown, upload.size);
    const auto out_of_order = [&](std::uint64_t size) {
        return invalid_layer_part("The first byte of the part, " + std::to_string(first) +
                                      ", does not follow the last byte received.",
                                  repo.name, repo.scope.account, upload.shown, size);
    };
    if (first != upload.size) throw out_of_order(upload.size);
    try {
        ecr.registry.append(repo, upload.id, first).write(bytes);
        ecr.layer_parts->record(upload.id, bytes.size());
    } catch (const registry::RegistryError& e) {
        if (e.code() == registry::ErrorCode::blob_upload_unknown)
            throw upload_not_found(upload.shown, repo.name, repo.scope.account);
        if (e.code() == registry::ErrorCode::range_invalid)
            throw out_of_order(ecr.registry.upload_size(repo, upload.id));
        throw;
    }
    return {{"registryId", repo.scope.account},
            {"repositoryName", repo.name},
            {"uploadId", upload.shown},
            {"lastByteReceived", last}};
}

json complete_layer_upload(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto upload = require_upload(ecr, call, input);
    const auto& repo = upload.repo;
    const auto& digests = input.at("layerDigests");
    if (digests.size() != 1)
        throw invalid_parameter("Invalid parameter at 'layerDigests': a layer upload completes under exactly one "
                                "digest.");
    const auto digest = digests[0].get<std::string>();
    if (upload.size == 0) throw empty_upload(upload.shown, repo.name, repo.scope.account);
    if (ecr.layer_parts->has_small_part_before_last(upload.id)) throw layer_part_too_small();
    if (!registry::valid_digest(digest))
        throw invalid_layer("The layer digest '" + digest + "' is not a sha256 digest of 64 lower-case hex digits.");
    if (ecr.store.ecr_images().is_linked(repo.id, digest)) {
        ecr.registry.cancel_upload(repo, upload.id);
        ecr.layer_parts->forget(upload.id);
        throw layer_already_exists(digest, repo.name, repo.scope.account);
    }
    // Outside any store transaction: completing may rehash a large upload (after a restart), and
    // that must not hold every other request's store lock meanwhile.
    try {
        ecr.registry.complete_upload(repo, upload.id, digest, std::nullopt);
    } catch (const registry::RegistryError& e) {
        if (e.code() == registry::ErrorCode::blob_upload_unknown)
            throw upload_not_found(upload.shown, repo.name, repo.scope.account);
        if (e.code() == registry::ErrorCode::digest_invalid)
            throw invalid_layer("The computed digest of the uploaded layer does not match '" + digest + "': " +
                                e.what());
        throw;
    }
    ecr.layer_parts->forget(upload.id);
    return {{"registryId", repo.scope.account},
            {"repositoryName", repo.name},
            {"uploadId", upload.shown},
            {"layerDigest", digest}};
}

namespace {

constexpr double k_download_url_lifetime = 3600;

// RFC 3986: everything but unreserved characters as %XX, so a token survives a query string.
std::string percent_encoded(std::string_view text) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 0xF];
        }
    }
    return out;
}

}  // namespace

json get_download_url_for_layer(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    const auto digest = input.at("layerDigest").get<std::string>();
    if (!is_ecr_digest(digest))
        throw invalid_parameter("Invalid parameter at 'layerDigest' failed to satisfy constraint: 'must be a digest "
                                "of the form <algorithm>:<hex>'");
    if (!ecr.registry.blob_size(repo, digest)) throw layer_not_found(digest, repo.name, repo.scope.account);
    // Uploaded but in no image yet: ECR does not serve it, and the collector may take it.
    if (ecr.store.ecr_images().referenced_by(repo.id, digest).empty()) throw layer_inaccessible(digest);
    // Like ECR's presigned S3 URL, it works without credentials of its own for a while: a
    // short-lived registry token rides in the query string.
    const auto token = ecr.auth_tokens.mint(repo.scope.account, repo.scope.region, ecr.clock.now() + k_download_url_lifetime);
    return {{"downloadUrl", "http://" + ecr.registry_host + "/v2/" + repo.name + "/blobs/" + digest + "?" +
                                std::string(registry::k_download_token_parameter) + "=" + percent_encoded(token)},
            {"layerDigest", digest}};
}

}  // namespace ecsbox::ecr

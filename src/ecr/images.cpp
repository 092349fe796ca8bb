#include "ecr/images.hpp"

#include <set>

#include "ecr/errors.hpp"
#include "ecr/image_ids.hpp"
#include "ecr/repositories.hpp"
#include "protocol/pagination.hpp"
#include "registry/manifest.hpp"
#include "registry/reference.hpp"
#include "registry/tag_mutability.hpp"
#include "util/sha256.hpp"

namespace ecsbox::ecr {

namespace {

constexpr protocol::PageLimits k_page_limits{100, 1000};

store::EcrTagFilter tag_filter(const json& input) {
    const auto filter = input.value("filter", json::object());
    const auto status = filter.value("tagStatus", std::string("ANY"));
    if (status == "TAGGED") return store::EcrTagFilter::tagged;
    if (status == "UNTAGGED") return store::EcrTagFilter::untagged;
    return store::EcrTagFilter::any;
}

void refuse_paging_with_ids(const json& input) {
    if (input.contains("maxResults") || input.contains("nextToken"))
        throw invalid_parameter("maxResults and nextToken cannot be used together with imageIds.");
}

// DescribeImages with imageIds: every one must resolve, as ECR insists.
json describe_listed_images(EcrContext& ecr, const store::EcrRepositoryRecord& repo, const json& image_ids) {
    json details = json::array();
    std::set<std::string> seen;
    for (const auto& image_id : image_ids) {
        const auto lookup = find_image(ecr.store, repo.id, image_id);
        if (lookup.malformed) throw invalid_parameter(lookup.failure_reason);
        if (!lookup.image) throw image_not_found(image_id_text(image_id), repo.name, repo.scope.account);
        if (seen.insert(lookup.image->digest).second) details.push_back(image_detail_json(repo, *lookup.image));
    }
    return {{"imageDetails", details}};
}

// One ListImages entry per tag, and one (digest only) for an untagged image, ordered by
// digest and then tag; the token is the [digest, tag] of the last entry given ("" untagged).
void add_entries(json& entries, const store::EcrImageRecord& image, const std::string& after_tag) {
    if (image.tags.empty()) {
        if (after_tag.empty()) entries.push_back(image_id_json(image.digest));
        return;
    }
    for (const auto& tag : image.tags)
        if (tag > after_tag) entries.push_back(image_id_json(image.digest, tag));
}

bool passes(store::EcrTagFilter filter, const store::EcrImageRecord& image) {
    if (filter == store::EcrTagFilter::tagged) return !image.tags.empty();
    if (filter == store::EcrTagFilter::untagged) return image.tags.empty();
    return true;
}

std::string media_type_of(const json& input) { return input.value("imageManifestMediaType", std::string()); }

registry::Manifest parse_put_manifest(const std::string& bytes, const std::string& media_type) {
    try {
        return registry::parse_manifest(bytes, media_type);
    } catch (const registry::ManifestError& e) {
        throw invalid_parameter(std::string("Invalid parameter at 'imageManifest' failed to satisfy constraint: '") +
                                e.what() + "'");
    }
}

// PutImage's own checks, made before the registry's so each failure carries ECR's exception.
void check_put(EcrContext& ecr, const store::EcrRepositoryRecord& repo, const registry::Manifest& manifest,
               const std::string& digest, const std::optional<std::string>& tag) {
    auto& images = ecr.store.ecr_images();
    const auto existing = images.find_by_digest(repo.id, digest);
    const auto tagged = tag ? images.find_by_tag(repo.id, *tag) : std::nullopt;
    if (existing && (!tag || (tagged && tagged->digest == digest)))
        throw image_already_exists(digest, tag.value_or(""), repo.name, repo.scope.account);
    if (tagged && tagged->digest != digest && registry::tag_is_immutable(repo, *tag))
        throw image_tag_already_exists(*tag, repo.name);

    std::vector<std::string> missing;
    for (const auto& blob : manifest.blob_digests())
        if (!images.is_linked(repo.id, blob)) missing.push_back(blob);
    if (!missing.empty()) throw layers_not_found(missing, repo.name, repo.scope.account);
    for (const auto& child : manifest.manifests)
        if (!images.find_by_digest(repo.id, child.digest)) missing.push_back(child.digest);
    if (!missing.empty()) throw referenced_images_not_found(missing, repo.name, repo.scope.account);
}

}  // namespace

json image_detail_json(const store::EcrRepositoryRecord& repo, const store::EcrImageRecord& image) {
    json out = {{"registryId", repo.scope.account},
                {"repositoryName", repo.name},
                {"imageDigest", image.digest},
                {"imageSizeInBytes", image.size},
                {"imagePushedAt", image.pushed_at},
                {"imageManifestMediaType", image.media_type}};
    if (!image.tags.empty()) out["imageTags"] = image.tags;
    if (!image.artifact_media_type.empty()) out["artifactMediaType"] = image.artifact_media_type;
    if (image.last_pull_at) out["lastRecordedPullTime"] = *image.last_pull_at;
    return out;
}

json describe_images(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    if (const auto ids = input.value("imageIds", json::array()); !ids.empty()) {
        refuse_paging_with_ids(input);
        return describe_listed_images(ecr, repo, ids);
    }
    const auto page = protocol::read_page_request(input, k_page_limits, "InvalidParameterException");
    std::optional<std::string> after;
    if (page.after) {
        if (!page.after->is_string()) throw invalid_parameter("Invalid nextToken.");
        after = page.after->get<std::string>();
    }
    auto rows = ecr.store.ecr_images().list(repo.id, tag_filter(input), after, page.limit + 1);
    const bool more = rows.size() > page.limit;
    if (more) rows.pop_back();
    json details = json::array();
    for (const auto& row : rows) details.push_back(image_detail_json(repo, row));
    json out = {{"imageDetails", details}};
    if (more) out["nextToken"] = protocol::encode_page_token(rows.back().digest);
    return out;
}

json list_images(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    const auto page = protocol::read_page_request(input, k_page_limits, "InvalidParameterException");
    const auto filter = tag_filter(input);
    std::optional<std::string> after_digest;
    std::string after_tag;
    if (page.after) {
        const auto& key = *page.after;
        if (!key.is_array() || key.size() != 2 || !key[0].is_string() || !key[1].is_string())
            throw invalid_parameter("Invalid nextToken.");
        after_digest = key[0].get<std::string>();
        after_tag = key[1].get<std::string>();
    }

    auto& images = ecr.store.ecr_images();
    json entries = json::array();
    // The rest of the image the last page stopped inside, if it is still there.
    if (after_digest && !after_tag.empty())
        if (const auto image = images.find_by_digest(repo.id, *after_digest); image && passes(filter, *image))
            add_entries(entries, *image, after_tag);
    // Every image gives at least one entry, so limit + 1 images are enough to know if more follow.
    for (const auto& image : images.list(repo.id, filter, after_digest, page.limit + 1)) {
        if (entries.size() > page.limit) break;
        add_entries(entries, image, "");
    }

    json out = json::object();
    if (entries.size() > page.limit) {
        entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(page.limit), entries.end());
        const auto& last = entries.back();
        out["nextToken"] = protocol::encode_page_token(
            json::array({last["imageDigest"], last.value("imageTag", std::string())}));
    }
    out["imageIds"] = std::move(entries);
    return out;
}

json batch_get_image(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    std::string accept;
    for (const auto& type : input.value("acceptedMediaTypes", json::array()))
        accept += (accept.empty() ? "" : ", ") + type.get<std::string>();

    json images = json::array();
    json failures = json::array();
    const auto& ids = input.at("imageIds");
    for (const auto& image_id : ids) {
        const auto lookup = find_image(ecr.store, repo.id, image_id);
        if (!lookup.image) {
            failures.push_back(image_failure(image_id, lookup));
            continue;
        }
        const auto& image = *lookup.image;
        if (!accept.empty() && !registry::accepts_media_type(accept, image.media_type)) {
            failures.push_back({{"imageId", image_id},
                                {"failureCode", "UnsupportedImageType"},
                                {"failureReason", "The image's manifest media type " + image.media_type +
                                                      " is not among the accepted media types"}});
            continue;
        }
        // What a pull calls: the pull is recorded as the registry's GET records it.
        const auto manifest = ecr.registry.get_manifest(repo, image.digest, true);
        json id = image_id_json(image.digest);
        if (image_id.contains("imageTag")) id["imageTag"] = image_id["imageTag"];
        images.push_back({{"registryId", repo.scope.account},
                          {"repositoryName", repo.name},
                          {"imageId", id},
                          {"imageManifest", manifest.bytes},
                          {"imageManifestMediaType", manifest.media_type}});
    }
    return {{"images", images}, {"failures", failures}};
}

json batch_delete_image(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    const auto repo = require_repository(ecr, call, input);
    auto& store_images = ecr.store.ecr_images();
    json deleted = json::array();
    json failures = json::array();
    const auto& ids = input.at("imageIds");
    for (const auto& image_id : ids) {
        auto tx = ecr.store.transaction();
        const auto lookup = find_image(ecr.store, repo.id, image_id);
        if (!lookup.image) {
            failures.push_back(image_failure(image_id, lookup));
            continue;
        }
        const auto& image = *lookup.image;
        const bool by_digest = image_id.value("imageDigest", std::string()) == image.digest;
        const auto tag = image_id.value("imageTag", std::string());
        // The image itself goes when named by digest or losing its last tag; an index that
        // lists it would be left pointing at nothing.
        const bool image_goes = by_digest || image.tags.size() == 1;
        if (image_goes) {
            if (const auto parents = store_images.referenced_by(repo.id, image.digest); !parents.empty()) {
                failures.push_back({{"imageId", image_id},
                                    {"failureCode", "ImageReferencedByManifestList"},
                                    {"failureReason", "Requested image referenced by manifest list: " +
                                                          digest_list(parents)}});
                continue;
            }
        }
        if (by_digest) {
            ecr.registry.delete_manifest(repo, image.digest);
            if (image.tags.empty()) deleted.push_back(image_id_json(image.digest));
            for (const auto& each : image.tags) deleted.push_back(image_id_json(image.digest, each));
        } else {
            ecr.registry.delete_manifest(repo, tag);
            deleted.push_back(image_id_json(image.digest, tag));
        }
        tx.commit();
    }
    return {{"imageIds", deleted}, {"failures", failures}};
}

json put_image(EcrContext& ecr, const protocol::CallContext& call, const json& input) {
    auto tx = ecr.store.transaction();
    const auto repo = require_repository(ecr, call, input);
    const auto bytes = input.at("imageManifest").get<std::string>();
    const auto media_type = media_type_of(input);
    std::optional<std::string> tag;
    if (input.contains("imageTag")) {
        tag = input["imageTag"].get<std::string>();
        if (!registry::valid_tag(*tag))
            throw invalid_parameter("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy "
                                    "regular expression '[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}''");
    }
    const std::string digest = "sha256:" + util::sha256_hex(bytes);
    if (input.contains("imageDigest")) {
        const auto given = input["imageDigest"].get<std::string>();
        if (!is_ecr_digest(given))
            throw invalid_parameter("Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be a "
                                    "digest of the form <algorithm>:<hex>'");
        if (given != digest) throw image_digest_does_not_match(given, digest);
    }
    const auto manifest = parse_put_manifest(bytes, media_type);
    check_put(ecr, repo, manifest, digest, tag);
    try {
        ecr.registry.put_manifest(repo, tag.value_or(digest), bytes, media_type);
    } catch (const registry::RegistryError& e) {
        // check_put saw to everything the registry checks; what is left is a bad manifest.
        throw invalid_parameter(e.what());
    }
    tx.commit();
    json id = image_id_json(digest, tag);
    return {{"image",
             {{"registryId", repo.scope.account},
              {"repositoryName", repo.name},
              {"imageId", id},
              {"imageManifest", bytes},
              {"imageManifestMediaType", manifest.media_type}}}};
}

}  // namespace ecsbox::ecr

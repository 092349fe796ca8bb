#include "registry/registry.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "registry/reference.hpp"
#include "registry/tag_mutability.hpp"
#include "util/sha256.hpp"

namespace ecsbox::registry {

namespace {

constexpr std::string_view k_digest_prefix = "sha256:";

RegistryError error(ErrorCode code, const std::string& message) { return RegistryError(code, message); }

// What a BlobStore failure means to a registry client; called from its catch block. I/O
// failures are ours, not the client's: they stay BlobStoreErrors and surface as internal errors.
[[noreturn]] void rethrow_blob_error(const BlobStoreError& e) {
    switch (e.kind()) {
        case BlobStoreError::Kind::upload_unknown: throw error(ErrorCode::blob_upload_unknown, e.what());
        case BlobStoreError::Kind::digest_mismatch: throw error(ErrorCode::digest_invalid, e.what());
        case BlobStoreError::Kind::size_mismatch: throw error(ErrorCode::size_invalid, e.what());
        case BlobStoreError::Kind::offset_mismatch: throw error(ErrorCode::range_invalid, e.what());
        case BlobStoreError::Kind::io: break;
    }
    throw;
}

void require_digest(const std::string& digest) {
    if (!valid_digest(digest))
        throw error(ErrorCode::digest_invalid,
                    "'" + digest + "' is not a digest of the form sha256:<64 lower-case hex digits>");
}

std::filesystem::file_time_type file_time_before(double seconds) {
    using Duration = std::filesystem::file_time_type::duration;
    return std::filesystem::file_time_type::clock::now() -
           std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

const char* RegistryError::code_name() const {
    switch (m_code) {
        case ErrorCode::blob_unknown: return "BLOB_UNKNOWN";
        case ErrorCode::blob_upload_invalid: return "BLOB_UPLOAD_INVALID";
        case ErrorCode::blob_upload_unknown: return "BLOB_UPLOAD_UNKNOWN";
        case ErrorCode::digest_invalid: return "DIGEST_INVALID";
        case ErrorCode::manifest_blob_unknown: return "MANIFEST_BLOB_UNKNOWN";
        case ErrorCode::manifest_invalid: return "MANIFEST_INVALID";
        case ErrorCode::manifest_unknown: return "MANIFEST_UNKNOWN";
        case ErrorCode::name_invalid: return "NAME_INVALID";
        case ErrorCode::name_unknown: return "NAME_UNKNOWN";
        case ErrorCode::size_invalid: return "SIZE_INVALID";
        case ErrorCode::tag_invalid: return "TAG_INVALID";
        case ErrorCode::range_invalid: return "RANGE_INVALID";
        case ErrorCode::pagination_number_invalid: return "PAGINATION_NUMBER_INVALID";
        case ErrorCode::unsupported: return "UNSUPPORTED";
    }
    return "UNKNOWN";
}

int RegistryError::http_status() const {
    switch (m_code) {
        case ErrorCode::blob_unknown:
        case ErrorCode::blob_upload_unknown:
        case ErrorCode::manifest_unknown:
        case ErrorCode::name_unknown: return 404;
        case ErrorCode::range_invalid: return 416;
        case ErrorCode::unsupported: return 405;
        default: return 400;
    }
}

Registry::Registry(store::Store& store, BlobStore& blobs, const util::Clock& clock)
    : m_store(store), m_blobs(blobs), m_clock(clock) {}

store::EcrRepositoryRecord Registry::repository(const store::Scope& scope, const std::string& name) const {
    if (!valid_repository_name(name)) throw error(ErrorCode::name_invalid, "invalid repository name '" + name + "'");
    auto record = m_store.ecr_repositories().find(scope, name);
    if (!record) throw error(ErrorCode::name_unknown, "repository '" + name + "' is not known to the registry");
    return *record;
}

// ---- Blobs ----

std::optional<std::uint64_t> Registry::blob_size(const store::EcrRepositoryRecord& repo,
                                                 const std::string& digest) const {
    if (!m_store.ecr_images().is_linked(repo.id, digest)) return std::nullopt;
    return m_blobs.size(digest);
}

std::optional<BlobReader> Registry::open_blob(const store::EcrRepositoryRecord& repo, const std::string& digest) const {
    if (!m_store.ecr_images().is_linked(repo.id, digest)) return std::nullopt;
    return m_blobs.open(digest);
}

void Registry::delete_blob(const store::EcrRepositoryRecord& repo, const std::string& digest) {
    require_digest(digest);
    if (!m_store.ecr_images().unlink_blob(repo.id, digest))
        throw error(ErrorCode::blob_unknown, "blob " + digest + " is unknown to repository '" + repo.name + "'");
}

bool Registry::mount_blob(const store::EcrRepositoryRecord& repo, const store::EcrRepositoryRecord& from,
                          const std::string& digest) {
    if (!valid_digest(digest)) return false;
    auto tx = m_store.transaction();
    // The link and the file are checked together with the new link written: the collector
    // deletes in a transaction of its own, so it cannot take the file in between.
    const auto link = m_store.ecr_images().find_link(from.id, digest);
    if (!link || !m_blobs.exists(digest)) return false;
    m_store.ecr_images().link_blob(repo.id, digest, link->size, m_clock.now());
    tx.commit();
    return true;
}

// ---- Uploads ----

std::string Registry::start_upload(const store::EcrRepositoryRecord& repo) {
    std::string id = m_blobs.start_upload();
    try {
        m_store.ecr_images().add_upload({id, repo.id, m_clock.now()});
    } catch (...) {
        m_blobs.cancel(id);  // a session no repository owns would only wait for the sweeper
        throw;
    }
    return id;
}

std::uint64_t Registry::upload_size(const store::EcrRepositoryRecord& repo, const std::string& upload_id) const {
    if (!m_store.ecr_images().find_upload(repo.id, upload_id))
        throw error(ErrorCode::blob_upload_unknown, "blob upload '" + upload_id + "' is unknown");
    try {
        return m_blobs.upload_size(upload_id);
    } catch (const BlobStoreError& e) {
        rethrow_blob_error(e);
    }
}

BlobStore::Appender Registry::append(const store::EcrRepositoryRecord& repo, const std::string& upload_id,
                                     std::optional<std::uint64_t> expected_offset) {
    if (!m_store.ecr_images().find_upload(repo.id, upload_id))
        throw error(ErrorCode::blob_upload_unknown, "blob upload '" + upload_id + "' is unknown");
    try {
        return m_blobs.append(upload_id, expected_offset);
    } catch (const BlobStoreError& e) {
        rethrow_blob_error(e);
    }
}

std::uint64_t Registry::complete_upload(const store::EcrRepositoryRecord& repo, const std::string& upload_id,
                                        const std::string& digest, std::optional<std::uint64_t> expected_size) {
    if (!m_store.ecr_images().find_upload(repo.id, upload_id))
        throw error(ErrorCode::blob_upload_unknown, "blob upload '" + upload_id + "' is unknown");
    // A malformed digest is a typo the client may correct: the upload survives it.
    require_digest(digest);

    std::shared_lock publishing(m_publish_mutex);
    std::uint64_t size = 0;
    try {
        size = m_blobs.commit(upload_id, digest, expected_size);
    } catch (const BlobStoreError& e) {
        // A failed verification ends the session in the blob store; the row goes with it.
        if (e.kind() == BlobStoreError::Kind::digest_mismatch || e.kind() == BlobStoreError::Kind::size_mismatch ||
            e.kind() == BlobStoreError::Kind::upload_unknown)
            m_store.ecr_images().remove_upload(upload_id);
        rethrow_blob_error(e);
    }
    auto tx = m_store.transaction();
    m_store.ecr_images().remove_upload(upload_id);
    m_store.ecr_images().link_blob(repo.id, digest, static_cast<std::int64_t>(size), m_clock.now());
    tx.commit();
    return size;
}

void Registry::cancel_upload(const store::EcrRepositoryRecord& repo, const std::string& upload_id) {
    if (!m_store.ecr_images().find_upload(repo.id, upload_id))
        throw error(ErrorCode::blob_upload_unknown, "blob upload '" + upload_id + "' is unknown");
    m_blobs.cancel(upload_id);
    m_store.ecr_images().remove_upload(upload_id);
}

// ---- Manifests ----

PutManifestResult Registry::put_manifest(const store::EcrRepositoryRecord& repo, const std::string& reference,
                                         const std::string& bytes, const std::string& content_type) {
    if (bytes.size() > k_max_manifest_bytes)
        throw error(ErrorCode::manifest_invalid, "manifest is " + std::to_string(bytes.size()) +
                                                     " bytes; the limit is " + std::to_string(k_max_manifest_bytes));
    Manifest manifest;
    try {
        manifest = parse_manifest(bytes, content_type);
    } catch (const ManifestError& e) {
        throw error(ErrorCode::manifest_invalid, e.what());
    }
    const std::string digest = std::string(k_digest_prefix) + util::sha256_hex(bytes);

    std::optional<std::string> tag;
    if (looks_like_digest(reference)) {
        require_digest(reference);
        if (reference != digest)
            throw error(ErrorCode::digest_invalid,
                        "the manifest's digest is " + digest + ", not the " + reference + " it was put under");
    } else {
        if (!valid_tag(reference))
            throw error(ErrorCode::tag_invalid, "'" + reference +
                                                    "' is not a valid tag: up to 128 characters of letters, digits, "
                                                    "'_', '.' and '-', not starting with '.' or '-'");
        tag = reference;
    }

    auto& images = m_store.ecr_images();
    auto tx = m_store.transaction();
    // The settings as they are now, not as the caller read them before the transaction.
    const auto current = m_store.ecr_repositories().find_by_id(repo.id);
    if (!current) throw error(ErrorCode::name_unknown, "repository '" + repo.name + "' is not known to the registry");

    if (tag) {
        const auto existing = images.find_by_tag(repo.id, *tag);
        if (existing && existing->digest != digest && tag_is_immutable(*current, *tag))
            throw error(ErrorCode::tag_invalid, "The image tag '" + *tag + "' already exists in the '" + repo.name +
                                                    "' repository and cannot be overwritten because the repository "
                                                    "is immutable.");
    }
    std::vector<std::string> references = manifest.blob_digests();
    for (const auto& blob : references)
        if (!images.is_linked(repo.id, blob))
            throw error(ErrorCode::manifest_blob_unknown,
                        "blob " + blob + " is unknown to repository '" + repo.name + "'");
    // An index is as large as its largest image, as ECR reports it.
    std::int64_t largest_child = 0;
    for (const auto& child : manifest.manifests) {
        const auto child_image = images.find_by_digest(repo.id, child.digest);
        if (!child_image)
            throw error(ErrorCode::manifest_blob_unknown,
                        "manifest " + child.digest + " is unknown to repository '" + repo.name + "'");
        largest_child = std::max(largest_child, child_image->size);
        references.push_back(child.digest);
    }

    store::EcrImageRecord image;
    image.repository_id = repo.id;
    image.digest = digest;
    image.manifest = bytes;
    image.media_type = manifest.media_type;
    image.artifact_media_type = manifest.artifact_media_type;
    image.size = manifest.is_index() ? largest_child : static_cast<std::int64_t>(manifest.image_size());
    image.pushed_at = m_clock.now();

    PutManifestResult result;
    result.digest = digest;
    result.image_created = images.put_image(image, references);
    if (tag) {
        const auto previous = images.set_tag(repo.id, *tag, digest);
        result.tag_moved = previous && *previous != digest;
    }
    tx.commit();
    return result;
}

StoredManifest Registry::get_manifest(const store::EcrRepositoryRecord& repo, const std::string& reference,
                                      bool record_pull) {
    auto& images = m_store.ecr_images();
    std::optional<store::EcrImageRecord> image;
    if (looks_like_digest(reference)) {
        require_digest(reference);
        image = images.find_by_digest(repo.id, reference);
    } else if (valid_tag(reference)) {
        image = images.find_by_tag(repo.id, reference);
    }
    if (!image)
        throw error(ErrorCode::manifest_unknown,
                    "manifest '" + reference + "' is unknown to repository '" + repo.name + "'");
    if (record_pull) images.record_pull(repo.id, image->digest, m_clock.now());
    return {image->digest, image->media_type, image->manifest};
}

void Registry::delete_manifest(const store::EcrRepositoryRecord& repo, const std::string& reference) {
    auto& images = m_store.ecr_images();
    const bool by_digest = looks_like_digest(reference);
    if (by_digest) require_digest(reference);
    auto tx = m_store.transaction();
    const auto image = by_digest ? images.find_by_digest(repo.id, reference)
                                 : (valid_tag(reference) ? images.find_by_tag(repo.id, reference) : std::nullopt);
    if (!image)
        throw error(ErrorCode::manifest_unknown,
                    "manifest '" + reference + "' is unknown to repository '" + repo.name + "'");
    if (by_digest) {
        images.remove_image(repo.id, image->digest);
    } else {
        images.remove_tag(repo.id, reference);
        if (images.tags_of(repo.id, image->digest).empty()) images.remove_image(repo.id, image->digest);
    }
    tx.commit();
}

std::vector<std::string> Registry::tags(const store::EcrRepositoryRecord& repo, const std::optional<std::string>& after,
                                        std::size_t limit) const {
    return m_store.ecr_images().list_tags(repo.id, after, limit);
}

// ---- Garbage collection ----

std::size_t Registry::collect_garbage(double grace_seconds) {
    const double cutoff = m_clock.now() - grace_seconds;

    // Uploads idle (by their file's last write) for the grace period end in the blob store;
    // then the rows whose session is gone follow.
    m_blobs.sweep_uploads(file_time_before(grace_seconds));
    for (const auto& upload : m_store.ecr_images().uploads_started_before(cutoff))
        if (!m_blobs.upload_exists(upload.id)) m_store.ecr_images().remove_upload(upload.id);

    const std::vector<std::string> files = m_blobs.list();
    std::vector<std::string> doomed;
    std::unique_lock publishing(m_publish_mutex, std::defer_lock);
    {
        auto tx = m_store.transaction();
        // The store lock is taken first here and the publish lock second, the other way round
        // from complete_upload: so never wait for it, try. A busy upload just defers collection.
        if (!publishing.try_lock()) return 0;
        doomed = m_store.ecr_images().unreferenced_among(files, cutoff);
        for (const auto& digest : doomed) m_store.ecr_images().unlink_everywhere(digest);
        tx.commit();
    }
    // After the commit: a crash in between leaves files nothing links, which the next run takes.
    // Still under the publish lock, so no upload can republish one of them meanwhile.
    for (const auto& digest : doomed) m_blobs.remove(digest);
    return doomed.size();
}

}  // namespace ecsbox::registry

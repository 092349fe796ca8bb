#pragma once
// The registry proper: repositories' blobs, uploads, manifests and tags, kept consistent
// between the SQLite store (what each repository holds) and the BlobStore (the bytes). The
// Docker Registry v2 routes and ECR's image and layer operations are both thin layers over
// this class, so `docker push` and `aws ecr put-image` can never disagree.
// Thread-safe: the store serializes writes, and each mutation runs in one store transaction.
// Knows nothing of HTTP or of ECR's API shapes; errors carry distribution-spec codes.
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "registry/blob_store.hpp"
#include "registry/manifest.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"

namespace ecsbox::registry {

// The distribution spec's error codes (and the one ECR adds for immutable tags).
enum class ErrorCode {
    blob_unknown,           // 404
    blob_upload_invalid,    // 400
    blob_upload_unknown,    // 404
    digest_invalid,         // 400: malformed, or the content does not hash to it
    manifest_blob_unknown,  // 400: a blob (or child manifest) the manifest references is absent
    manifest_invalid,       // 400
    manifest_unknown,       // 404
    name_invalid,           // 400
    name_unknown,           // 404: no such repository
    size_invalid,           // 400
    tag_invalid,            // 400: a tag ECR keeps immutable already names another image
    range_invalid,          // 416: a chunk that does not continue the upload
    pagination_number_invalid,  // 400: a tags/list page size that is not a positive number
    unsupported,            // 405
};

class RegistryError : public std::runtime_error {
public:
    RegistryError(ErrorCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    ErrorCode code() const { return m_code; }
    const char* code_name() const;  // "BLOB_UNKNOWN", ...
    int http_status() const;

private:
    ErrorCode m_code;
};

struct StoredManifest {
    std::string digest;
    std::string media_type;
    std::string bytes;
};

struct PutManifestResult {
    std::string digest;
    bool image_created = false;  // false: the repository already had this manifest
    bool tag_moved = false;      // the tag named another image before
};

class Registry {
public:
    Registry(store::Store& store, BlobStore& blobs, const util::Clock& clock);

    // The repository `name` of the scope; throws name_invalid / name_unknown.
    store::EcrRepositoryRecord repository(const store::Scope& scope, const std::string& name) const;

    // Blobs, as one repository sees them: present only when linked to it.
    std::optional<std::uint64_t> blob_size(const store::EcrRepositoryRecord& repo, const std::string& digest) const;
    std::optional<BlobReader> open_blob(const store::EcrRepositoryRecord& repo, const std::string& digest) const;
    // Unlinks the blob from the repository (the bytes go with garbage collection); blob_unknown.
    void delete_blob(const store::EcrRepositoryRecord& repo, const std::string& digest);
    // Links a blob `from` already has into `repo` (cross-repository mount). False when `from`
    // does not have it; the caller then starts an ordinary upload.
    bool mount_blob(const store::EcrRepositoryRecord& repo, const store::EcrRepositoryRecord& from,
                    const std::string& digest);

    // Uploads. Ids come from the BlobStore and are recorded against the repository; an id of
    // another repository is blob_upload_unknown.
    std::string start_upload(const store::EcrRepositoryRecord& repo);
    std::uint64_t upload_size(const store::EcrRepositoryRecord& repo, const std::string& upload_id) const;
    // An appender for one request body. `expected_offset` (from Content-Range) that does not
    // continue the upload: range_invalid.
    BlobStore::Appender append(const store::EcrRepositoryRecord& repo, const std::string& upload_id,
                               std::optional<std::uint64_t> expected_offset);
    // Verifies and publishes the upload as `digest`, links it to the repository, ends the
    // session; returns the size. digest_invalid (malformed or not matching), size_invalid.
    std::uint64_t complete_upload(const store::EcrRepositoryRecord& repo, const std::string& upload_id,
                                  const std::string& digest, std::optional<std::uint64_t> expected_size);
    void cancel_upload(const store::EcrRepositoryRecord& repo, const std::string& upload_id);

    // Manifests. `reference` is a tag or a digest. A PUT by digest must hash to it
    // (digest_invalid); every blob it references must be linked to the repository and every
    // child manifest of an index present in it (manifest_blob_unknown); a tag that the
    // repository keeps immutable may not move (tag_invalid). The exact bytes are kept.
    PutManifestResult put_manifest(const store::EcrRepositoryRecord& repo, const std::string& reference,
                                   const std::string& bytes, const std::string& content_type);
    // manifest_unknown when absent. `record_pull` stamps lastRecordedPullTime (GET, not HEAD).
    StoredManifest get_manifest(const store::EcrRepositoryRecord& repo, const std::string& reference,
                                bool record_pull);
    // By digest: the image and all its tags go. By tag: only the tag goes, and the image with
    // it when that was its last tag (ECR's BatchDeleteImage). manifest_unknown when absent.
    void delete_manifest(const store::EcrRepositoryRecord& repo, const std::string& reference);
    // Tags in lexical order, strictly after `after`, at most `limit`.
    std::vector<std::string> tags(const store::EcrRepositoryRecord& repo, const std::optional<std::string>& after,
                                  std::size_t limit) const;

    // Deletes blob files no manifest references and no repository linked within `grace_seconds`
    // (a push links its layers before its manifest arrives); never a referenced one. Also ends
    // upload sessions idle for longer than the grace period. Returns the blobs deleted.
    std::size_t collect_garbage(double grace_seconds);

private:
    store::Store& m_store;
    BlobStore& m_blobs;
    const util::Clock& m_clock;
    // A blob file is published a moment before its link row is written. Completing an upload
    // holds this shared over both; the collector holds it exclusively, so it never takes a
    // file that is published but not linked yet for an orphan.
    std::shared_mutex m_publish_mutex;
};

}  // namespace ecsbox::registry

#pragma once
// What an ECR repository holds, keyed by the repository id: images (a manifest stored as the
// exact bytes pushed, under its digest), the tags pointing at them, the blobs and child
// manifests each image references, the blobs uploaded or mounted into the repository (the
// registry serves a blob only to a repository it is linked to), and upload sessions (whose
// bytes live in the blob store). Deleting an image takes its tags and references with it.
// Thread-safe through the Database lock; wrap several calls in Store::transaction() when they
// must be atomic. Only SQL here: rows and optionals out, never AWS errors.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace ecsbox::store {

struct EcrImageRecord {
    std::int64_t repository_id = 0;
    std::string digest;               // "sha256:<hex>" of `manifest`
    std::string manifest;             // the bytes as pushed
    std::string media_type;           // the manifest's media type
    std::string artifact_media_type;  // its config's (or artifactType); "" for indexes
    std::int64_t size = 0;            // what ECR reports as imageSizeInBytes
    double pushed_at = 0;
    std::optional<double> last_pull_at;
    std::vector<std::string> tags;  // filled when read, sorted; ignored by put_image
};

enum class EcrTagFilter { any, tagged, untagged };

struct EcrBlobLink {
    std::string digest;
    std::int64_t size = 0;
    double linked_at = 0;
};

struct EcrUploadRecord {
    std::string id;
    std::int64_t repository_id = 0;
    double started_at = 0;
};

class EcrImagesStore {
public:
    explicit EcrImagesStore(Database& db) : m_db(db) {}

    // Images.
    // Inserts the image with the digests it references (config, layers, child manifests) when
    // its digest is new to the repository and returns true. An image already there is kept as
    // it is (manifest, pushed_at, references) and false is returned.
    bool put_image(const EcrImageRecord& image, const std::vector<std::string>& referenced_digests);
    std::optional<EcrImageRecord> find_by_digest(std::int64_t repository_id, const std::string& digest);
    std::optional<EcrImageRecord> find_by_tag(std::int64_t repository_id, const std::string& tag);
    // Images ordered by digest, strictly after `after_digest`, at most `limit`, with their tags.
    std::vector<EcrImageRecord> list(std::int64_t repository_id, EcrTagFilter filter,
                                     const std::optional<std::string>& after_digest, std::size_t limit);
    std::size_t count(std::int64_t repository_id);
    // Deletes the image with its tags and references; false when it was not there.
    bool remove_image(std::int64_t repository_id, const std::string& digest);
    // Returns false when the image is not there.
    bool record_pull(std::int64_t repository_id, const std::string& digest, double at);
    // The digests an image references, sorted.
    std::vector<std::string> references_of(std::int64_t repository_id, const std::string& image_digest);
    // The images of the repository that reference `digest` (e.g. the indexes listing a child
    // manifest), sorted.
    std::vector<std::string> referenced_by(std::int64_t repository_id, const std::string& digest);

    // Tags. set_tag points `tag` at an image of the repository (which must exist, or StoreError)
    // and returns the digest it pointed at before, if any.
    std::optional<std::string> set_tag(std::int64_t repository_id, const std::string& tag, const std::string& digest);
    bool remove_tag(std::int64_t repository_id, const std::string& tag);
    std::vector<std::string> tags_of(std::int64_t repository_id, const std::string& digest);
    // Every tag of the repository in lexical order, strictly after `after_tag`, at most `limit`.
    std::vector<std::string> list_tags(std::int64_t repository_id, const std::optional<std::string>& after_tag,
                                       std::size_t limit);

    // Blob links. Linking again refreshes linked_at (and size).
    void link_blob(std::int64_t repository_id, const std::string& digest, std::int64_t size, double at);
    bool is_linked(std::int64_t repository_id, const std::string& digest);
    std::optional<EcrBlobLink> find_link(std::int64_t repository_id, const std::string& digest);
    bool unlink_blob(std::int64_t repository_id, const std::string& digest);
    // Removes the digest's links from every repository (for the collector, once the file is gone).
    void unlink_everywhere(const std::string& digest);

    // Garbage collection. A digest is referenced while any image of any repository references it
    // or is stored under it. unreferenced_blobs: the linked digests that are unreferenced and
    // whose every link is older than `older_than`. unreferenced_among: of `digests` (e.g. every
    // file of the blob store), those unreferenced with no link at or after `older_than` (no link
    // at all counts as old: the caller must only pass files old enough to be collected).
    // Run the check and the deletion in one Store::transaction() so a push cannot slip between.
    std::vector<std::string> unreferenced_blobs(double older_than);
    std::vector<std::string> unreferenced_among(const std::vector<std::string>& digests, double older_than);

    // Upload sessions.
    void add_upload(const EcrUploadRecord& upload);
    // The session if it exists and belongs to `repository_id`.
    std::optional<EcrUploadRecord> find_upload(std::int64_t repository_id, const std::string& id);
    bool remove_upload(const std::string& id);
    // Sessions started before `cutoff`, for a sweeper.
    std::vector<EcrUploadRecord> uploads_started_before(double cutoff);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

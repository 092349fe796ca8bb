#include "store/ecr_images_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select_image =
    "SELECT repository_id, digest, manifest, media_type, artifact_media_type, size, pushed_at, last_pull_at "
    "FROM ecr_images ";

EcrImageRecord read_image(const Statement& stmt) {
    return {stmt.int64(0), stmt.text(1),  stmt.text(2),           stmt.text(3), stmt.text(4),
            stmt.int64(5), stmt.real(6), stmt.optional_real(7), {}};
}

std::vector<std::string> read_strings(Statement& stmt) {
    std::vector<std::string> out;
    while (stmt.step()) out.push_back(stmt.text(0));
    return out;
}

// Referenced: an image of any repository lists the digest, or is stored under it (a manifest
// kept in the blob store). Shared by both collector queries so they cannot disagree.
constexpr const char* k_unreferenced =
    "NOT EXISTS (SELECT 1 FROM ecr_image_blobs b WHERE b.blob_digest = d) "
    "AND NOT EXISTS (SELECT 1 FROM ecr_images i WHERE i.digest = d) "
    "AND NOT EXISTS (SELECT 1 FROM ecr_repository_blobs l WHERE l.digest = d AND l.linked_at >= ?1)";

}  // namespace

bool EcrImagesStore::put_image(const EcrImageRecord& image, const std::vector<std::string>& referenced_digests) {
    Transaction tx(m_db);
    m_db.prepare(
            "INSERT INTO ecr_images (repository_id, digest, manifest, media_type, artifact_media_type, size, "
            "pushed_at, last_pull_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
            "ON CONFLICT (repository_id, digest) DO NOTHING")
        ->bind_all(image.repository_id, image.digest, image.manifest, image.media_type, image.artifact_media_type,
                   image.size, image.pushed_at, image.last_pull_at)
        .run();
    if (m_db.changes() == 0) return false;
    for (const auto& digest : referenced_digests)
        m_db.prepare(
                "INSERT OR IGNORE INTO ecr_image_blobs (repository_id, image_digest, blob_digest) VALUES (?1, ?2, ?3)")
            ->bind_all(image.repository_id, image.digest, digest)
            .run();
    tx.commit();
    return true;
}

std::optional<EcrImageRecord> EcrImagesStore::find_by_digest(std::int64_t repository_id, const std::string& digest) {
    auto guard = m_db.lock();
    std::optional<EcrImageRecord> image;
    {
        auto query = m_db.prepare(std::string(k_select_image) + "WHERE repository_id = ?1 AND digest = ?2");
        query->bind_all(repository_id, digest);
        if (!query->step()) return std::nullopt;
        image = read_image(*query);
    }
    image->tags = tags_of(repository_id, digest);
    return image;
}

std::optional<EcrImageRecord> EcrImagesStore::find_by_tag(std::int64_t repository_id, const std::string& tag) {
    auto guard = m_db.lock();
    std::optional<std::string> digest;
    {
        auto query = m_db.prepare("SELECT digest FROM ecr_image_tags WHERE repository_id = ?1 AND tag = ?2");
        query->bind_all(repository_id, tag);
        if (!query->step()) return std::nullopt;
        digest = query->text(0);
    }
    return find_by_digest(repository_id, *digest);
}

std::vector<EcrImageRecord> EcrImagesStore::list(std::int64_t repository_id, EcrTagFilter filter,
                                                 const std::optional<std::string>& after_digest, std::size_t limit) {
    auto guard = m_db.lock();
    std::vector<EcrImageRecord> images;
    {
        // ?3: 0 any, 1 tagged, 2 untagged.
        auto query = m_db.prepare(
            std::string(k_select_image) +
            "WHERE repository_id = ?1 AND (?2 IS NULL OR digest > ?2) AND (?3 = 0 OR (?3 = 1) = EXISTS "
            "(SELECT 1 FROM ecr_image_tags t WHERE t.repository_id = ?1 AND t.digest = ecr_images.digest)) "
            "ORDER BY digest LIMIT ?4");
        query->bind_all(repository_id, after_digest, static_cast<int>(filter), static_cast<std::int64_t>(limit));
        while (query->step()) images.push_back(read_image(*query));
    }
    for (auto& image : images) image.tags = tags_of(repository_id, image.digest);
    return images;
}

std::size_t EcrImagesStore::count(std::int64_t repository_id) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT count(*) FROM ecr_images WHERE repository_id = ?1");
    query->bind_all(repository_id);
    query->step();
    return static_cast<std::size_t>(query->int64(0));
}

bool EcrImagesStore::remove_image(std::int64_t repository_id, const std::string& digest) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM ecr_images WHERE repository_id = ?1 AND digest = ?2")
        ->bind_all(repository_id, digest)
        .run();
    return m_db.changes() > 0;
}

bool EcrImagesStore::record_pull(std::int64_t repository_id, const std::string& digest, double at) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE ecr_images SET last_pull_at = ?3 WHERE repository_id = ?1 AND digest = ?2")
        ->bind_all(repository_id, digest, at)
        .run();
    return m_db.changes() > 0;
}

std::vector<std::string> EcrImagesStore::references_of(std::int64_t repository_id, const std::string& image_digest) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT blob_digest FROM ecr_image_blobs WHERE repository_id = ?1 AND image_digest = ?2 ORDER BY blob_digest");
    query->bind_all(repository_id, image_digest);
    return read_strings(*query);
}

std::vector<std::string> EcrImagesStore::referenced_by(std::int64_t repository_id, const std::string& digest) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT image_digest FROM ecr_image_blobs WHERE repository_id = ?1 AND blob_digest = ?2 ORDER BY image_digest");
    query->bind_all(repository_id, digest);
    return read_strings(*query);
}

std::optional<std::string> EcrImagesStore::set_tag(std::int64_t repository_id, const std::string& tag,
                                                   const std::string& digest) {
    Transaction tx(m_db);
    std::optional<std::string> previous;
    {
        auto query = m_db.prepare("SELECT digest FROM ecr_image_tags WHERE repository_id = ?1 AND tag = ?2");
        query->bind_all(repository_id, tag);
        if (query->step()) previous = query->text(0);
    }
    m_db.prepare(
            "INSERT INTO ecr_image_tags (repository_id, tag, digest) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (repository_id, tag) DO UPDATE SET digest = excluded.digest")
        ->bind_all(repository_id, tag, digest)
        .run();
    tx.commit();
    return previous;
}

bool EcrImagesStore::remove_tag(std::int64_t repository_id, const std::string& tag) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM ecr_image_tags WHERE repository_id = ?1 AND tag = ?2")->bind_all(repository_id, tag).run();
    return m_db.changes() > 0;
}

std::vector<std::string> EcrImagesStore::tags_of(std::int64_t repository_id, const std::string& digest) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT tag FROM ecr_image_tags WHERE repository_id = ?1 AND digest = ?2 ORDER BY tag");
    query->bind_all(repository_id, digest);
    return read_strings(*query);
}

std::vector<std::string> EcrImagesStore::list_tags(std::int64_t repository_id, const std::optional<std::string>& after_tag,
                                                   std::size_t limit) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT tag FROM ecr_image_tags WHERE repository_id = ?1 AND (?2 IS NULL OR tag > ?2) ORDER BY tag LIMIT ?3");
    query->bind_all(repository_id, after_tag, static_cast<std::int64_t>(limit));
    return read_strings(*query);
}

void EcrImagesStore::link_blob(std::int64_t repository_id, const std::string& digest, std::int64_t size, double at) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO ecr_repository_blobs (repository_id, digest, size, linked_at) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (repository_id, digest) DO UPDATE SET size = excluded.size, linked_at = excluded.linked_at")
        ->bind_all(repository_id, digest, size, at)
        .run();
}

bool EcrImagesStore::is_linked(std::int64_t repository_id, const std::string& digest) {
    return find_link(repository_id, digest).has_value();
}

std::optional<EcrBlobLink> EcrImagesStore::find_link(std::int64_t repository_id, const std::string& digest) {
    auto guard = m_db.lock();
    auto query =
        m_db.prepare("SELECT digest, size, linked_at FROM ecr_repository_blobs WHERE repository_id = ?1 AND digest = ?2");
    query->bind_all(repository_id, digest);
    if (!query->step()) return std::nullopt;
    return EcrBlobLink{query->text(0), query->int64(1), query->real(2)};
}

bool EcrImagesStore::unlink_blob(std::int64_t repository_id, const std::string& digest) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM ecr_repository_blobs WHERE repository_id = ?1 AND digest = ?2")
        ->bind_all(repository_id, digest)
        .run();
    return m_db.changes() > 0;
}

void EcrImagesStore::unlink_everywhere(const std::string& digest) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM ecr_repository_blobs WHERE digest = ?1")->bind_all(digest).run();
}

std::vector<std::string> EcrImagesStore::unreferenced_blobs(double older_than) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string("SELECT d FROM (SELECT DISTINCT digest AS d FROM ecr_repository_blobs) WHERE ") +
                              k_unreferenced + " ORDER BY d");
    query->bind_all(older_than);
    return read_strings(*query);
}

std::vector<std::string> EcrImagesStore::unreferenced_among(const std::vector<std::string>& digests,
                                                            double older_than) {
    auto guard = m_db.lock();
    std::vector<std::string> out;
    for (const auto& digest : digests) {
        auto query = m_db.prepare(std::string("SELECT 1 FROM (SELECT ?2 AS d) WHERE ") + k_unreferenced);
        query->bind_all(older_than, digest);
        if (query->step()) out.push_back(digest);
    }
    return out;
}

void EcrImagesStore::add_upload(const EcrUploadRecord& upload) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO ecr_uploads (id, repository_id, started_at) VALUES (?1, ?2, ?3)")
        ->bind_all(upload.id, upload.repository_id, upload.started_at)
        .run();
}

std::optional<EcrUploadRecord> EcrImagesStore::find_upload(std::int64_t repository_id, const std::string& id) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT id, repository_id, started_at FROM ecr_uploads WHERE id = ?1 AND repository_id = ?2");
    query->bind_all(id, repository_id);
    if (!query->step()) return std::nullopt;
    return EcrUploadRecord{query->text(0), query->int64(1), query->real(2)};
}

bool EcrImagesStore::remove_upload(const std::string& id) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM ecr_uploads WHERE id = ?1")->bind_all(id).run();
    return m_db.changes() > 0;
}

std::vector<EcrUploadRecord> EcrImagesStore::uploads_started_before(double cutoff) {
    auto guard = m_db.lock();
    auto query =
        m_db.prepare("SELECT id, repository_id, started_at FROM ecr_uploads WHERE started_at < ?1 ORDER BY started_at");
    query->bind_all(cutoff);
    std::vector<EcrUploadRecord> out;
    while (query->step()) out.push_back({query->text(0), query->int64(1), query->real(2)});
    return out;
}

}  // namespace ecsbox::store

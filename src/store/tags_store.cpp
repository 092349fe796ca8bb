#include "store/tags_store.hpp"

namespace ecsbox::store {

TagList TagsStore::list(const std::string& resource_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY position");
    query->bind_all(resource_arn);
    TagList tags;
    while (query->step()) tags.emplace_back(query->text(0), query->text(1));
    return tags;
}

std::size_t TagsStore::count(const std::string& resource_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT count(*) FROM tags WHERE resource_arn = ?1");
    query->bind_all(resource_arn);
    query->step();
    return static_cast<std::size_t>(query->int64(0));
}

void TagsStore::put(const std::string& resource_arn, const TagList& tags) {
    Transaction tx(m_db);
    for (const auto& [key, value] : tags)
        m_db.prepare("INSERT INTO tags (resource_arn, key, value, position) VALUES (?1, ?2, ?3, "
                     "(SELECT coalesce(max(position), 0) + 1 FROM tags WHERE resource_arn = ?1)) "
                     "ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value")
            ->bind_all(resource_arn, key, value)
            .run();
    tx.commit();
}

void TagsStore::remove(const std::string& resource_arn, const std::vector<std::string>& keys) {
    Transaction tx(m_db);
    for (const auto& key : keys)
        m_db.prepare("DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2")->bind_all(resource_arn, key).run();
    tx.commit();
}

void TagsStore::remove_all(const std::string& resource_arn) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM tags WHERE resource_arn = ?1")->bind_all(resource_arn).run();
}

}  // namespace ecsbox::store

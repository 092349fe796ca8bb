#include "store/store.hpp"

#include "store/schema.hpp"

namespace ecsbox::store {

namespace {

// A value made once, at random, the first time the data directory is used, and kept after.
std::string random_meta_value(Database& db, const std::string& key, int random_bytes) {
    auto guard = db.lock();
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES (?1, lower(hex(randomblob(?2))))")
        ->bind_all(key, random_bytes)
        .run();
    auto query = db.prepare("SELECT value FROM meta WHERE key = ?1");
    query->bind_all(key);
    query->step();
    return query->text(0);
}

}  // namespace

Store::Store(const std::string& data_dir) : m_db(data_dir + "/ecsbox.db") {
    migrate(m_db);
    m_installation_id = random_meta_value(m_db, "installation_id", 16);
    m_registry_secret = random_meta_value(m_db, "registry_secret", 32);
}

void Store::reset() {
    auto tx = transaction();
    // Every resource table; `meta` (the installation's identity) and `engines` (what the engine
    // is) describe ecsbox itself and stay.
    std::vector<std::string> tables;
    {
        auto query = m_db.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('meta', 'engines') "
            "AND name NOT LIKE 'sqlite_%'");
        while (query->step()) tables.push_back(query->text(0));
    }
    for (const auto& table : tables) m_db.prepare("DELETE FROM \"" + table + "\"")->run();
    tx.commit();
}

}  // namespace ecsbox::store

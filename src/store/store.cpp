#include "store/store.hpp"

#include "store/schema.hpp"

namespace ecsbox::store {

Store::Store(const std::string& data_dir) : m_db(data_dir + "/ecsbox.db") {
    migrate(m_db);
    auto guard = m_db.lock();
    m_db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_id', lower(hex(randomblob(16))))")->run();
    auto query = m_db.prepare("SELECT value FROM meta WHERE key = 'installation_id'");
    query->step();
    m_installation_id = query->text(0);
}

}  // namespace ecsbox::store

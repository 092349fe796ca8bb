#include "store/store.hpp"

#include "store/schema.hpp"

namespace ecsbox::store {

Store::Store(const std::string& data_dir) : m_db(data_dir + "/ecsbox.db") { migrate(m_db); }

}  // namespace ecsbox::store

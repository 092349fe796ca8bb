#pragma once
// Brings a test database to the current schema, for tests of one resource store.
#include "store/db.hpp"
#include "store/schema.hpp"

namespace ecsbox::testing {

inline store::Database& migrated(store::Database& db) {
    store::migrate(db);
    return db;
}

}  // namespace ecsbox::testing

#pragma once
// The schema as numbered migrations, applied in order inside one transaction each and recorded
// in PRAGMA user_version. A database written by a newer ecsbox is refused, never downgraded.
#include "store/db.hpp"

namespace ecsbox::store {

class SchemaTooNewError : public StoreError {
public:
    using StoreError::StoreError;
};

int latest_schema_version();

// Brings the database up to latest_schema_version(), or to `up_to` (so a test can stand for
// an older ecsbox's data directory). Throws SchemaTooNewError or StoreError.
void migrate(Database& db);
void migrate(Database& db, int up_to);

}  // namespace ecsbox::store

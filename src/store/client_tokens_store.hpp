#pragma once
// Idempotency tokens: the request a client token was first used with and what it answered,
// so a retry gets the same answer instead of a second set of resources. Thread-safe through
// the Database lock; callers wrap find-then-record in one transaction.
#include <optional>
#include <string>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct ClientTokenRecord {
    std::string request;   // the request as first made, canonical JSON text
    std::string response;  // what it answered, JSON text
    double created_at = 0;
};

class ClientTokensStore {
public:
    explicit ClientTokensStore(Database& db) : m_db(db) {}

    std::optional<ClientTokenRecord> find(const Scope& scope, const std::string& operation, const std::string& token);
    void record(const Scope& scope, const std::string& operation, const std::string& token,
                const ClientTokenRecord& record);
    // Forgets tokens used before `before`; returns how many.
    std::size_t purge(double before);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

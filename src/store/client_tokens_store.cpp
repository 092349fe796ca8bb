#include "store/client_tokens_store.hpp"

namespace ecsbox::store {

std::optional<ClientTokenRecord> ClientTokensStore::find(const Scope& scope, const std::string& operation,
                                                         const std::string& token) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT request, response, created_at FROM client_tokens "
                              "WHERE account = ?1 AND region = ?2 AND operation = ?3 AND token = ?4");
    query->bind_all(scope.account, scope.region, operation, token);
    if (!query->step()) return std::nullopt;
    return ClientTokenRecord{query->text(0), query->text(1), query->real(2)};
}

void ClientTokensStore::record(const Scope& scope, const std::string& operation, const std::string& token,
                               const ClientTokenRecord& r) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO client_tokens (account, region, operation, token, request, response, created_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        ->bind_all(scope.account, scope.region, operation, token, r.request, r.response, r.created_at)
        .run();
}

std::size_t ClientTokensStore::purge(double before) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM client_tokens WHERE created_at < ?1")->bind_all(before).run();
    return static_cast<std::size_t>(m_db.changes());
}

}  // namespace ecsbox::store

#include "store/clusters_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select = "SELECT arn, name, status, body, created_at FROM clusters ";

ClusterRecord read(const Statement& stmt) {
    return {stmt.text(0), stmt.text(1), stmt.text(2), stmt.text(3), stmt.real(4)};
}

}  // namespace

std::optional<ClusterRecord> ClustersStore::find(const Scope& scope, const std::string& name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE account = ?1 AND region = ?2 AND name = ?3");
    query->bind_all(scope.account, scope.region, name);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

void ClustersStore::put(const Scope& scope, const ClusterRecord& record) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO clusters (arn, account, region, name, status, body, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (account, region, name) DO UPDATE SET "
            "arn = excluded.arn, status = excluded.status, body = excluded.body, created_at = excluded.created_at")
        ->bind_all(record.arn, scope.account, scope.region, record.name, record.status, record.body, record.created_at)
        .run();
}

std::vector<ClusterRecord> ClustersStore::list_active(const Scope& scope, const std::optional<std::string>& after_name,
                                                      std::size_t limit) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE account = ?1 AND region = ?2 AND status = 'ACTIVE' "
                              "AND (?3 IS NULL OR name > ?3) ORDER BY name LIMIT ?4");
    query->bind_all(scope.account, scope.region, after_name, static_cast<std::int64_t>(limit));
    std::vector<ClusterRecord> rows;
    while (query->step()) rows.push_back(read(*query));
    return rows;
}

}  // namespace ecsbox::store

#include "store/ecr_repositories_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select =
    "SELECT id, account, region, name, arn, created_at, body, policy, lifecycle_policy, "
    "lifecycle_policy_updated_at, lifecycle_evaluated_at FROM ecr_repositories ";

EcrRepositoryRecord read(const Statement& stmt) {
    return {stmt.int64(0),         {stmt.text(1), stmt.text(2)}, stmt.text(3),
            stmt.text(4),          stmt.real(5),                 stmt.text(6),
            stmt.optional_text(7), stmt.optional_text(8),        stmt.optional_real(9),
            stmt.optional_real(10)};
}

}  // namespace

std::optional<EcrRepositoryRecord> EcrRepositoriesStore::find(const Scope& scope, const std::string& name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE account = ?1 AND region = ?2 AND name = ?3");
    query->bind_all(scope.account, scope.region, name);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::optional<EcrRepositoryRecord> EcrRepositoriesStore::find_by_id(std::int64_t id) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE id = ?1");
    query->bind_all(id);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::optional<std::int64_t> EcrRepositoriesStore::insert(const EcrRepositoryRecord& record) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO ecr_repositories (account, region, name, arn, created_at, body, policy, lifecycle_policy, "
            "lifecycle_policy_updated_at, lifecycle_evaluated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
            "ON CONFLICT (account, region, name) DO NOTHING")
        ->bind_all(record.scope.account, record.scope.region, record.name, record.arn, record.created_at, record.body,
                   record.policy, record.lifecycle_policy, record.lifecycle_policy_updated_at,
                   record.lifecycle_evaluated_at)
        .run();
    if (m_db.changes() == 0) return std::nullopt;
    auto query = m_db.prepare("SELECT last_insert_rowid()");
    query->step();
    return query->int64(0);
}

std::vector<EcrRepositoryRecord> EcrRepositoriesStore::list(const Scope& scope,
                                                            const std::optional<std::string>& after_name,
                                                            std::size_t limit,
                                                            const std::optional<std::string>& name_prefix) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE account = ?1 AND region = ?2 AND (?3 IS NULL OR name > ?3) "
                              "AND (?4 IS NULL OR substr(name, 1, length(?4)) = ?4) ORDER BY name LIMIT ?5");
    // Compared literally: LIKE would read '_' in a name as a wildcard.
    query->bind_all(scope.account, scope.region, after_name, name_prefix, static_cast<std::int64_t>(limit));
    std::vector<EcrRepositoryRecord> rows;
    while (query->step()) rows.push_back(read(*query));
    return rows;
}

std::vector<EcrRepositoryRecord> EcrRepositoriesStore::list_all() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "ORDER BY id");
    std::vector<EcrRepositoryRecord> rows;
    while (query->step()) rows.push_back(read(*query));
    return rows;
}

bool EcrRepositoriesStore::update_body(std::int64_t id, const std::string& body) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE ecr_repositories SET body = ?2 WHERE id = ?1")->bind_all(id, body).run();
    return m_db.changes() > 0;
}

bool EcrRepositoriesStore::set_policy(std::int64_t id, const std::optional<std::string>& policy) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE ecr_repositories SET policy = ?2 WHERE id = ?1")->bind_all(id, policy).run();
    return m_db.changes() > 0;
}

bool EcrRepositoriesStore::set_lifecycle_policy(std::int64_t id, const std::optional<std::string>& text,
                                                double updated_at) {
    auto guard = m_db.lock();
    m_db.prepare(
            "UPDATE ecr_repositories SET lifecycle_policy = ?2, lifecycle_policy_updated_at = ?3, "
            "lifecycle_evaluated_at = NULL WHERE id = ?1")
        ->bind_all(id, text, text ? std::optional(updated_at) : std::nullopt)
        .run();
    return m_db.changes() > 0;
}

bool EcrRepositoriesStore::mark_lifecycle_evaluated(std::int64_t id, double evaluated_at) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE ecr_repositories SET lifecycle_evaluated_at = ?2 WHERE id = ?1")
        ->bind_all(id, evaluated_at)
        .run();
    return m_db.changes() > 0;
}

bool EcrRepositoriesStore::remove(std::int64_t id) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM ecr_repositories WHERE id = ?1")->bind_all(id).run();
    return m_db.changes() > 0;
}

}  // namespace ecsbox::store

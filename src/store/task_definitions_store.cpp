#include "store/task_definitions_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select =
    "SELECT arn, family, revision, status, body, registered_at, deregistered_at, delete_requested_at "
    "FROM task_definitions ";

TaskDefinitionRecord read(const Statement& stmt) {
    return {stmt.text(0), stmt.text(1),          stmt.int64(2),          stmt.text(3),
            stmt.text(4), stmt.real(5), stmt.optional_real(6), stmt.optional_real(7)};
}

}  // namespace

std::int64_t TaskDefinitionsStore::next_revision(const Scope& scope, const std::string& family) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "INSERT INTO task_definition_families (account, region, family, last_revision) VALUES (?1, ?2, ?3, 1) "
        "ON CONFLICT (account, region, family) DO UPDATE SET last_revision = last_revision + 1 "
        "RETURNING last_revision");
    query->bind_all(scope.account, scope.region, family);
    query->step();
    return query->int64(0);
}

void TaskDefinitionsStore::insert(const Scope& scope, const TaskDefinitionRecord& r) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO task_definitions (arn, account, region, family, revision, status, body, registered_at, "
            "deregistered_at, delete_requested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        ->bind_all(r.arn, scope.account, scope.region, r.family, r.revision, r.status, r.body, r.registered_at,
                   r.deregistered_at, r.delete_requested_at)
        .run();
}

std::optional<TaskDefinitionRecord> TaskDefinitionsStore::find(const Scope& scope, const std::string& family,
                                                               std::int64_t revision) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE account = ?1 AND region = ?2 AND family = ?3 AND revision = ?4");
    query->bind_all(scope.account, scope.region, family, revision);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::optional<TaskDefinitionRecord> TaskDefinitionsStore::find_by_arn(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::optional<TaskDefinitionRecord> TaskDefinitionsStore::find_latest_active(const Scope& scope,
                                                                             const std::string& family) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE account = ?1 AND region = ?2 AND status = 'ACTIVE' AND family = ?3 "
                              "ORDER BY revision DESC LIMIT 1");
    query->bind_all(scope.account, scope.region, family);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

void TaskDefinitionsStore::deregister(const std::string& arn, double at) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE task_definitions SET status = 'INACTIVE', deregistered_at = ?2 WHERE arn = ?1")
        ->bind_all(arn, at)
        .run();
}

void TaskDefinitionsStore::mark_delete_in_progress(const std::string& arn, double at) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE task_definitions SET status = 'DELETE_IN_PROGRESS', delete_requested_at = ?2 WHERE arn = ?1")
        ->bind_all(arn, at)
        .run();
}

std::vector<std::string> TaskDefinitionsStore::purge_deleted(double before) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "DELETE FROM task_definitions WHERE status = 'DELETE_IN_PROGRESS' AND delete_requested_at < ?1 RETURNING arn");
    query->bind_all(before);
    std::vector<std::string> arns;
    while (query->step()) arns.push_back(query->text(0));
    return arns;
}

std::vector<TaskDefinitionRecord> TaskDefinitionsStore::list(const Scope& scope, const TaskDefinitionQuery& q) {
    auto guard = m_db.lock();
    const std::string after = q.descending ? "(family, revision) < (?5, ?6)" : "(family, revision) > (?5, ?6)";
    const std::string order = q.descending ? "family DESC, revision DESC" : "family, revision";
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE account = ?1 AND region = ?2 AND status = ?3 AND (?4 IS NULL OR family = ?4) "
                              "AND (?5 IS NULL OR " + after + ") ORDER BY " + order + " LIMIT ?7");
    query->bind_all(scope.account, scope.region, q.status, q.family,
                    q.after ? std::optional(q.after->family) : std::nullopt,
                    q.after ? std::optional(q.after->revision) : std::nullopt, static_cast<std::int64_t>(q.limit));
    std::vector<TaskDefinitionRecord> rows;
    while (query->step()) rows.push_back(read(*query));
    return rows;
}

std::vector<std::string> TaskDefinitionsStore::list_families(const Scope& scope, const std::string& prefix,
                                                             FamilyFilter filter,
                                                             const std::optional<std::string>& after,
                                                             std::size_t limit) {
    auto guard = m_db.lock();
    // A family is ACTIVE while any revision is; families whose revisions are all gone are not listed.
    const char* having = filter == FamilyFilter::active     ? "HAVING SUM(status = 'ACTIVE') > 0 "
                         : filter == FamilyFilter::inactive ? "HAVING SUM(status = 'ACTIVE') = 0 "
                                                            : "";
    auto query = m_db.prepare(std::string("SELECT family FROM task_definitions "
                                          "WHERE account = ?1 AND region = ?2 AND substr(family, 1, length(?3)) = ?3 "
                                          "AND (?4 IS NULL OR family > ?4) GROUP BY family ") +
                              having + "ORDER BY family LIMIT ?5");
    query->bind_all(scope.account, scope.region, prefix, after, static_cast<std::int64_t>(limit));
    std::vector<std::string> families;
    while (query->step()) families.push_back(query->text(0));
    return families;
}

}  // namespace ecsbox::store

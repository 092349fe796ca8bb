#include "store/services_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select_service =
    "SELECT arn, cluster_arn, name, status, desired_count, scheduling_strategy, launch_type, body, created_at, "
    "updated_at, inactive_at, account, region FROM services ";

ServiceRecord read_service(const Statement& s) {
    ServiceRecord r;
    r.arn = s.text(0);
    r.cluster_arn = s.text(1);
    r.name = s.text(2);
    r.status = s.text(3);
    r.desired_count = s.int64(4);
    r.scheduling_strategy = s.text(5);
    r.launch_type = s.text(6);
    r.body = s.text(7);
    r.created_at = s.real(8);
    r.updated_at = s.real(9);
    r.inactive_at = s.optional_real(10);
    r.scope = {s.text(11), s.text(12)};
    return r;
}

constexpr const char* k_select_deployment =
    "SELECT id, arn, service_arn, status, task_definition_arn, rollout_state, rollout_state_reason, failed_tasks, "
    "body, created_at, updated_at, finished_at FROM service_deployments ";

DeploymentRecord read_deployment(const Statement& s) {
    DeploymentRecord d;
    d.id = s.text(0);
    d.arn = s.text(1);
    d.service_arn = s.text(2);
    d.status = s.text(3);
    d.task_definition_arn = s.text(4);
    d.rollout_state = s.text(5);
    d.rollout_state_reason = s.text(6);
    d.failed_tasks = s.int64(7);
    d.body = s.text(8);
    d.created_at = s.real(9);
    d.updated_at = s.real(10);
    d.finished_at = s.optional_real(11);
    return d;
}

void remove_service_rows(Database& db, const std::string& arn) {
    db.prepare("DELETE FROM service_deployments WHERE service_arn = ?1")->bind_all(arn).run();
    db.prepare("DELETE FROM service_events WHERE service_arn = ?1")->bind_all(arn).run();
    db.prepare("DELETE FROM services WHERE arn = ?1")->bind_all(arn).run();
}

}  // namespace

void ServicesStore::insert(const Scope& scope, const ServiceRecord& r) {
    auto guard = m_db.lock();
    Transaction tx(m_db);
    remove_service_rows(m_db, r.arn);
    m_db.prepare("INSERT INTO services (arn, account, region, cluster_arn, name, status, desired_count, "
                 "scheduling_strategy, launch_type, body, created_at, updated_at, inactive_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)")
        ->bind_all(r.arn, scope.account, scope.region, r.cluster_arn, r.name, r.status, r.desired_count,
                   r.scheduling_strategy, r.launch_type, r.body, r.created_at, r.updated_at, r.inactive_at)
        .run();
    tx.commit();
}

void ServicesStore::update(const ServiceRecord& r) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE services SET status = ?2, desired_count = ?3, launch_type = ?4, body = ?5, updated_at = ?6, "
                 "inactive_at = ?7 WHERE arn = ?1")
        ->bind_all(r.arn, r.status, r.desired_count, r.launch_type, r.body, r.updated_at, r.inactive_at)
        .run();
}

std::optional<ServiceRecord> ServicesStore::find(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_service) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read_service(*query);
}

std::vector<ServiceRecord> ServicesStore::list(const ServiceQuery& q) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_service) +
                              "WHERE cluster_arn = ?1 AND status <> 'INACTIVE' AND (?2 IS NULL OR launch_type = ?2) "
                              "AND (?3 IS NULL OR scheduling_strategy = ?3) AND (?4 IS NULL OR arn > ?4) "
                              "ORDER BY arn LIMIT ?5");
    query->bind_all(q.cluster_arn, q.launch_type, q.scheduling_strategy, q.after_arn, static_cast<std::int64_t>(q.limit));
    std::vector<ServiceRecord> rows;
    while (query->step()) rows.push_back(read_service(*query));
    return rows;
}

std::vector<ServiceRecord> ServicesStore::unfinished() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_service) + "WHERE status <> 'INACTIVE' ORDER BY created_at");
    std::vector<ServiceRecord> rows;
    while (query->step()) rows.push_back(read_service(*query));
    return rows;
}

std::vector<std::pair<std::pair<std::string, std::string>, std::size_t>> ServicesStore::count_by_launch_type(
    const std::string& cluster_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT launch_type, status, count(*) FROM services WHERE cluster_arn = ?1 "
                              "AND status <> 'INACTIVE' GROUP BY launch_type, status");
    query->bind_all(cluster_arn);
    std::vector<std::pair<std::pair<std::string, std::string>, std::size_t>> out;
    while (query->step())
        out.push_back({{query->text(0), query->text(1)}, static_cast<std::size_t>(query->int64(2))});
    return out;
}

std::vector<std::string> ServicesStore::purge_inactive(double before) {
    auto guard = m_db.lock();
    Transaction tx(m_db);
    auto query = m_db.prepare("SELECT arn FROM services WHERE status = 'INACTIVE' AND inactive_at < ?1");
    query->bind_all(before);
    std::vector<std::string> arns;
    while (query->step()) arns.push_back(query->text(0));
    for (const auto& arn : arns) remove_service_rows(m_db, arn);
    tx.commit();
    return arns;
}

void ServicesStore::put_deployment(const DeploymentRecord& d) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO service_deployments (id, arn, service_arn, status, task_definition_arn, rollout_state, "
                 "rollout_state_reason, failed_tasks, body, created_at, updated_at, finished_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO UPDATE SET "
                 "status = excluded.status, rollout_state = excluded.rollout_state, "
                 "rollout_state_reason = excluded.rollout_state_reason, failed_tasks = excluded.failed_tasks, "
                 "body = excluded.body, updated_at = excluded.updated_at, finished_at = excluded.finished_at")
        ->bind_all(d.id, d.arn, d.service_arn, d.status, d.task_definition_arn, d.rollout_state, d.rollout_state_reason,
                   d.failed_tasks, d.body, d.created_at, d.updated_at, d.finished_at)
        .run();
}

std::vector<DeploymentRecord> ServicesStore::deployments(const std::string& service_arn, bool with_inactive) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_deployment) +
                              "WHERE service_arn = ?1 AND (?2 OR status <> 'INACTIVE') ORDER BY created_at DESC, rowid DESC");
    query->bind_all(service_arn, with_inactive ? 1 : 0);
    std::vector<DeploymentRecord> rows;
    while (query->step()) rows.push_back(read_deployment(*query));
    return rows;
}

std::optional<DeploymentRecord> ServicesStore::find_deployment(const std::string& arn_or_id) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_deployment) + "WHERE arn = ?1 OR id = ?1");
    query->bind_all(arn_or_id);
    if (!query->step()) return std::nullopt;
    return read_deployment(*query);
}

void ServicesStore::add_event(const std::string& service_arn, const ServiceEventRecord& event, std::size_t keep) {
    auto guard = m_db.lock();
    Transaction tx(m_db);
    m_db.prepare("INSERT INTO service_events (service_arn, id, created_at, message) VALUES (?1, ?2, ?3, ?4)")
        ->bind_all(service_arn, event.id, event.created_at, event.message)
        .run();
    m_db.prepare("DELETE FROM service_events WHERE service_arn = ?1 AND seq NOT IN "
                 "(SELECT seq FROM service_events WHERE service_arn = ?1 ORDER BY seq DESC LIMIT ?2)")
        ->bind_all(service_arn, static_cast<std::int64_t>(keep))
        .run();
    tx.commit();
}

std::vector<ServiceEventRecord> ServicesStore::events(const std::string& service_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT id, created_at, message FROM service_events WHERE service_arn = ?1 ORDER BY seq DESC");
    query->bind_all(service_arn);
    std::vector<ServiceEventRecord> rows;
    while (query->step()) rows.push_back({query->text(0), query->real(1), query->text(2)});
    return rows;
}

}  // namespace ecsbox::store

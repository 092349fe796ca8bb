#include "store/tasks_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select =
    "SELECT arn, cluster_arn, task_definition_arn, family, container_instance_arn, started_by, service_name, "
    "launch_type, last_status, desired_status, stop_code, stopped_reason, version, created_at, stopped_at, body, "
    "account, region, service_accounted, health_status, health_checked, started_at, reserved_cpu, reserved_memory, "
    "task_group, stop_after FROM tasks ";
// The same columns without the document.
constexpr const char* k_select_slim =
    "SELECT arn, cluster_arn, task_definition_arn, family, container_instance_arn, started_by, service_name, "
    "launch_type, last_status, desired_status, stop_code, stopped_reason, version, created_at, stopped_at, '', "
    "account, region, service_accounted, health_status, health_checked, started_at, reserved_cpu, reserved_memory, "
    "task_group, stop_after FROM tasks ";

TaskRecord read(const Statement& s) {
    TaskRecord r;
    r.arn = s.text(0);
    r.cluster_arn = s.text(1);
    r.task_definition_arn = s.text(2);
    r.family = s.text(3);
    r.container_instance_arn = s.optional_text(4);
    r.started_by = s.optional_text(5);
    r.service_name = s.optional_text(6);
    r.launch_type = s.text(7);
    r.last_status = s.text(8);
    r.desired_status = s.text(9);
    r.stop_code = s.optional_text(10);
    r.stopped_reason = s.optional_text(11);
    r.version = s.int64(12);
    r.created_at = s.real(13);
    r.stopped_at = s.optional_real(14);
    r.body = s.text(15);
    r.scope = {s.text(16), s.text(17)};
    r.service_accounted = s.int64(18) != 0;
    r.health_status = s.text(19);
    r.health_checked = s.int64(20) != 0;
    r.started_at = s.optional_real(21);
    r.reserved_cpu = s.int64(22);
    r.reserved_memory = s.int64(23);
    r.group = s.text(24);
    r.stop_after = s.optional_real(25);
    return r;
}

// The settled tasks of SettledTally.
constexpr const char* k_settled =
    "(last_status = 'RUNNING' AND desired_status = 'RUNNING' AND "
    "(health_status = 'HEALTHY' OR (health_status <> 'UNHEALTHY' AND health_checked = 0)))";

std::vector<TaskRecord> read_all(Query& query) {
    std::vector<TaskRecord> rows;
    while (query->step()) rows.push_back(read(*query));
    return rows;
}

}  // namespace

void TasksStore::insert(const Scope& scope, const TaskRecord& r) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO tasks (arn, account, region, cluster_arn, task_definition_arn, family, container_instance_arn, "
            "started_by, service_name, launch_type, last_status, desired_status, stop_code, stopped_reason, version, "
            "created_at, stopped_at, body, health_status, health_checked, started_at, reserved_cpu, reserved_memory, "
            "task_group) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
            "?20, ?21, ?22, ?23, ?24)")
        ->bind_all(r.arn, scope.account, scope.region, r.cluster_arn, r.task_definition_arn, r.family,
                   r.container_instance_arn, r.started_by, r.service_name, r.launch_type, r.last_status,
                   r.desired_status, r.stop_code, r.stopped_reason, r.version, r.created_at, r.stopped_at, r.body,
                   r.health_status, r.health_checked ? 1 : 0, r.started_at, r.reserved_cpu, r.reserved_memory,
                   r.group)
        .run();
}

std::optional<std::pair<std::int64_t, bool>> TasksStore::version_of(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT version, service_name IS NOT NULL FROM tasks WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return std::pair{query->int64(0), query->int64(1) != 0};
}

std::optional<TaskRecord> TasksStore::find(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::optional<TaskRecord> TasksStore::find_by_id(const std::string& task_id) {
    auto guard = m_db.lock();
    // Task ARNs end in "/<id>" in every account, region and cluster.
    auto query = m_db.prepare(std::string(k_select) + "WHERE substr(arn, -length(?1) - 1) = '/' || ?1 LIMIT 1");
    query->bind_all(task_id);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::vector<TaskRecord> TasksStore::list(const TaskQuery& q) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE cluster_arn = ?1 AND (?2 IS NULL OR family = ?2) AND (?3 IS NULL OR started_by = ?3) "
                              "AND (?4 IS NULL OR service_name = ?4) AND (?5 IS NULL OR container_instance_arn = ?5) "
                              "AND (?6 IS NULL OR desired_status = ?6) AND (?7 IS NULL OR launch_type = ?7) "
                              "AND (?8 IS NULL OR arn > ?8) ORDER BY arn LIMIT ?9");
    query->bind_all(q.cluster_arn, q.family, q.started_by, q.service_name, q.container_instance_arn, q.desired_status,
                    q.launch_type, q.after_arn, static_cast<std::int64_t>(q.limit));
    return read_all(query);
}

std::vector<TaskRecord> TasksStore::unfinished() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE last_status <> 'STOPPED' ORDER BY created_at");
    return read_all(query);
}

std::vector<std::string> TasksStore::moving_arns() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT arn FROM tasks WHERE last_status <> 'STOPPED' "
        "AND NOT (last_status = 'RUNNING' AND desired_status = 'RUNNING') ORDER BY created_at");
    std::vector<std::string> arns;
    while (query->step()) arns.push_back(query->text(0));
    return arns;
}

std::vector<std::string> TasksStore::settled_arns(const std::string& after_arn, std::size_t limit) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT arn FROM tasks WHERE last_status = 'RUNNING' AND desired_status = 'RUNNING' AND arn > ?1 "
        "ORDER BY arn LIMIT ?2");
    query->bind_all(after_arn, static_cast<std::int64_t>(limit));
    std::vector<std::string> arns;
    while (query->step()) arns.push_back(query->text(0));
    return arns;
}

std::vector<TaskRecord> TasksStore::active_on(const std::string& container_instance_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE container_instance_arn = ?1 AND last_status <> 'STOPPED' ORDER BY arn");
    query->bind_all(container_instance_arn);
    return read_all(query);
}

namespace {

// Rows of (instance, group, asked to stop, RUNNING count, count, cpu, memory) into loads.
void add_loads(Query& query, std::map<std::string, InstanceLoad>& loads) {
    while (query->step()) {
        auto& load = loads[query->text(0)];
        const auto count = query->int64(4);
        const auto running = query->int64(3);
        load.running += running;
        load.pending += count - running;
        load.reserved_cpu += query->int64(5);
        load.reserved_memory += query->int64(6);
        if (query->int64(2) == 0) load.groups[query->text(1)] += count;
    }
}

constexpr const char* k_select_loads =
    "SELECT container_instance_arn, task_group, desired_status = 'STOPPED', sum(last_status = 'RUNNING'), count(*), "
    "sum(reserved_cpu), sum(reserved_memory) FROM tasks ";

}  // namespace

InstanceLoad TasksStore::load_on(const std::string& container_instance_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_loads) +
                              "WHERE container_instance_arn = ?1 AND last_status <> 'STOPPED' GROUP BY 1, 2, 3");
    query->bind_all(container_instance_arn);
    std::map<std::string, InstanceLoad> loads;
    add_loads(query, loads);
    return loads.empty() ? InstanceLoad{} : loads.begin()->second;
}

std::map<std::string, InstanceLoad> TasksStore::loads_in(const std::string& cluster_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_loads) +
                              "WHERE container_instance_arn IN (SELECT arn FROM container_instances WHERE cluster_arn = ?1) "
                              "AND last_status <> 'STOPPED' GROUP BY 1, 2, 3");
    query->bind_all(cluster_arn);
    std::map<std::string, InstanceLoad> loads;
    add_loads(query, loads);
    return loads;
}

std::vector<TaskRecord> TasksStore::of_service(const std::string& cluster_arn, const std::string& service_name,
                                               bool unsettled_only) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_slim) +
                              "WHERE cluster_arn = ?1 AND service_name = ?2 AND "
                              "(last_status <> 'STOPPED' OR service_accounted = 0) AND (?3 = 0 OR NOT " + k_settled +
                              ") ORDER BY created_at, arn");
    query->bind_all(cluster_arn, service_name, unsettled_only ? 1 : 0);
    return read_all(query);
}

std::vector<SettledTally> TasksStore::settled_of_service(const std::string& cluster_arn, const std::string& service_name,
                                                         double running_since, double or_since) {
    auto guard = m_db.lock();
    // A task is RUNNING from started_at, or from its creation where that was never recorded.
    auto query = m_db.prepare(std::string("SELECT started_by, container_instance_arn, count(*), "
                                          "total(coalesce(started_at, created_at) <= ?3), "
                                          "total(health_checked = 1 OR coalesce(started_at, created_at) <= ?4) "
                                          "FROM tasks WHERE cluster_arn = ?1 AND service_name = ?2 AND ") +
                              k_settled + " GROUP BY started_by, container_instance_arn");
    query->bind_all(cluster_arn, service_name, running_since, or_since);
    std::vector<SettledTally> out;
    while (query->step())
        out.push_back({query->optional_text(0), query->optional_text(1), query->int64(2),
                       static_cast<std::int64_t>(query->real(3)), static_cast<std::int64_t>(query->real(4))});
    return out;
}

std::vector<TaskTally> TasksStore::tally_of_service(const std::string& cluster_arn, const std::string& service_name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT started_by, last_status, desired_status, count(*) FROM tasks WHERE cluster_arn = ?1 AND "
        "service_name = ?2 AND last_status <> 'STOPPED' GROUP BY started_by, last_status, desired_status");
    query->bind_all(cluster_arn, service_name);
    std::vector<TaskTally> out;
    while (query->step()) out.push_back({query->optional_text(0), query->text(1), query->text(2), query->int64(3)});
    return out;
}

void TasksStore::mark_service_accounted(const std::string& arn) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE tasks SET service_accounted = 1 WHERE arn = ?1")->bind_all(arn).run();
}

std::map<std::pair<std::string, std::string>, std::size_t> TasksStore::count_by_status(const std::string& cluster_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT launch_type, last_status, count(*) FROM tasks WHERE cluster_arn = ?1 GROUP BY launch_type, last_status");
    query->bind_all(cluster_arn);
    std::map<std::pair<std::string, std::string>, std::size_t> counts;
    while (query->step()) counts[{query->text(0), query->text(1)}] = static_cast<std::size_t>(query->int64(2));
    return counts;
}

bool TasksStore::request_stop(const std::string& arn, const std::string& stop_code, const std::string& reason,
                              std::optional<double> stop_after) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE tasks SET desired_status = 'STOPPED', stop_code = ?2, stopped_reason = ?3, stop_after = ?4, "
                 "version = version + 1 WHERE arn = ?1 AND desired_status <> 'STOPPED'")
        ->bind_all(arn, stop_code, reason, stop_after)
        .run();
    return m_db.changes() > 0;
}

void TasksStore::release_stop(const std::string& arn) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE tasks SET stop_after = NULL, version = version + 1 WHERE arn = ?1 AND stop_after IS NOT NULL")
        ->bind_all(arn)
        .run();
}

void TasksStore::record_progress(const std::string& arn, const std::string& last_status, const std::string& body,
                                 std::optional<double> stopped_at, const std::string& health_status,
                                 std::optional<double> started_at) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE tasks SET last_status = ?2, body = ?3, stopped_at = ?4, health_status = ?5, started_at = ?6, "
                 "version = version + 1 WHERE arn = ?1")
        ->bind_all(arn, last_status, body, stopped_at, health_status, started_at)
        .run();
}

std::vector<std::string> TasksStore::purge_stopped(double before) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("DELETE FROM tasks WHERE last_status = 'STOPPED' AND stopped_at < ?1 RETURNING arn");
    query->bind_all(before);
    std::vector<std::string> arns;
    while (query->step()) arns.push_back(query->text(0));
    return arns;
}

}  // namespace ecsbox::store

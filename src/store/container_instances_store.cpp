#include "store/container_instances_store.hpp"

namespace ecsbox::store {

namespace {
constexpr const char* k_select = "SELECT arn, cluster_arn, status, body, registered_at FROM container_instances ";

ContainerInstanceRecord read(const Statement& s) { return {s.text(0), s.text(1), s.text(2), s.text(3), s.real(4)}; }
}  // namespace

void ContainerInstancesStore::put(const Scope& scope, const ContainerInstanceRecord& r) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO container_instances (arn, account, region, cluster_arn, status, body, registered_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (arn) DO UPDATE SET status = excluded.status, "
                 "body = excluded.body")
        ->bind_all(r.arn, scope.account, scope.region, r.cluster_arn, r.status, r.body, r.registered_at)
        .run();
}

std::optional<ContainerInstanceRecord> ContainerInstancesStore::find_by_ec2_instance_id(const Scope& scope,
                                                                                   const std::string& id) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE account = ?1 AND region = ?2 AND status <> 'INACTIVE' "
                              "AND json_extract(body, '$.ec2InstanceId') = ?3 ORDER BY arn LIMIT 1");
    query->bind_all(scope.account, scope.region, id);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::optional<ContainerInstanceRecord> ContainerInstancesStore::find(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read(*query);
}

std::vector<ContainerInstanceRecord> ContainerInstancesStore::list(const std::string& cluster_arn,
                                                                   const std::optional<std::string>& status,
                                                                   const std::optional<std::string>& after_arn,
                                                                   std::size_t limit) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select) +
                              "WHERE cluster_arn = ?1 AND status <> 'INACTIVE' AND (?2 IS NULL OR status = ?2) "
                              "AND (?3 IS NULL OR arn > ?3) ORDER BY arn LIMIT ?4");
    query->bind_all(cluster_arn, status, after_arn, static_cast<std::int64_t>(limit));
    std::vector<ContainerInstanceRecord> rows;
    while (query->step()) rows.push_back(read(*query));
    return rows;
}

std::size_t ContainerInstancesStore::count_registered(const std::string& cluster_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT count(*) FROM container_instances WHERE cluster_arn = ?1 AND status <> 'INACTIVE'");
    query->bind_all(cluster_arn);
    query->step();
    return static_cast<std::size_t>(query->int64(0));
}

void ContainerInstancesStore::put_attribute(const std::string& cluster_arn, const AttributeRecord& a) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO attributes (cluster_arn, target_type, target_id, name, value) VALUES (?1, ?2, ?3, ?4, ?5) "
                 "ON CONFLICT (cluster_arn, target_id, name) DO UPDATE SET value = excluded.value")
        ->bind_all(cluster_arn, a.target_type, a.target_id, a.name, a.value)
        .run();
}

bool ContainerInstancesStore::delete_attribute(const std::string& cluster_arn, const std::string& target_id,
                                               const std::string& name) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM attributes WHERE cluster_arn = ?1 AND target_id = ?2 AND name = ?3")
        ->bind_all(cluster_arn, target_id, name)
        .run();
    return m_db.changes() > 0;
}

std::vector<AttributeRecord> ContainerInstancesStore::attributes(const std::string& cluster_arn,
                                                                 const std::optional<std::string>& target_id) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT target_type, target_id, name, value FROM attributes WHERE cluster_arn = ?1 "
                              "AND (?2 IS NULL OR target_id = ?2) ORDER BY target_id, name");
    query->bind_all(cluster_arn, target_id);
    std::vector<AttributeRecord> rows;
    while (query->step()) rows.push_back({query->text(0), query->text(1), query->text(2), query->optional_text(3)});
    return rows;
}

std::optional<EngineRecord> ContainerInstancesStore::engine(const std::string& name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare("SELECT name, runtime, cpu_units, memory_mib, docker_version, connected, updated_at "
                              "FROM engines WHERE name = ?1");
    query->bind_all(name);
    if (!query->step()) return std::nullopt;
    return EngineRecord{query->text(0), query->text(1), query->int64(2), query->int64(3),
                        query->text(4), query->int64(5) != 0, query->real(6)};
}

void ContainerInstancesStore::put_engine(const EngineRecord& e) {
    auto guard = m_db.lock();
    m_db.prepare("INSERT INTO engines (name, runtime, cpu_units, memory_mib, docker_version, connected, updated_at) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (name) DO UPDATE SET runtime = excluded.runtime, "
                 "cpu_units = excluded.cpu_units, memory_mib = excluded.memory_mib, "
                 "docker_version = excluded.docker_version, connected = excluded.connected, "
                 "updated_at = excluded.updated_at")
        ->bind_all(e.name, e.runtime, e.cpu_units, e.memory_mib, e.docker_version, static_cast<std::int64_t>(e.connected),
                   e.updated_at)
        .run();
}

}  // namespace ecsbox::store

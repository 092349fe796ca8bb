#include "store/target_groups_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select_group =
    "SELECT arn, account, region, name, body, attributes, created_at FROM elb_target_groups ";

TargetGroupRecord read_group(const Statement& row) {
    return {row.text(0), {row.text(1), row.text(2)}, row.text(3), row.text(4), row.text(5), row.real(6)};
}

}  // namespace

bool TargetGroupsStore::insert(const TargetGroupRecord& record) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO elb_target_groups (arn, account, region, name, body, attributes, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING")
        ->bind_all(record.arn, record.scope.account, record.scope.region, record.name, record.body,
                   record.attributes, record.created_at)
        .run();
    return m_db.changes() > 0;
}

std::optional<TargetGroupRecord> TargetGroupsStore::find(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_group) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read_group(*query);
}

std::optional<TargetGroupRecord> TargetGroupsStore::find_by_name(const Scope& scope, const std::string& name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_group) + "WHERE account = ?1 AND region = ?2 AND name = ?3");
    query->bind_all(scope.account, scope.region, name);
    if (!query->step()) return std::nullopt;
    return read_group(*query);
}

std::vector<TargetGroupRecord> TargetGroupsStore::list(const Scope& scope) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_group) + "WHERE account = ?1 AND region = ?2 ORDER BY name");
    query->bind_all(scope.account, scope.region);
    std::vector<TargetGroupRecord> rows;
    while (query->step()) rows.push_back(read_group(*query));
    return rows;
}

std::vector<TargetGroupRecord> TargetGroupsStore::list_all() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_group) + "ORDER BY arn");
    std::vector<TargetGroupRecord> rows;
    while (query->step()) rows.push_back(read_group(*query));
    return rows;
}

void TargetGroupsStore::update(const std::string& arn, const std::string& body, const std::string& attributes) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE elb_target_groups SET body = ?2, attributes = ?3 WHERE arn = ?1")
        ->bind_all(arn, body, attributes)
        .run();
}

bool TargetGroupsStore::remove(const std::string& arn) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM elb_target_groups WHERE arn = ?1")->bind_all(arn).run();
    return m_db.changes() > 0;
}

void TargetGroupsStore::register_target(const TargetRecord& target) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO elb_targets (target_group_arn, id, port, availability_zone, registered, state, reason, "
            "description, registered_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8) "
            "ON CONFLICT (target_group_arn, id, port) DO UPDATE SET registered = 1, deregistered_at = NULL, "
            "availability_zone = excluded.availability_zone, "
            "state = CASE WHEN registered = 1 THEN state ELSE excluded.state END, "
            "reason = CASE WHEN registered = 1 THEN reason ELSE excluded.reason END, "
            "description = CASE WHEN registered = 1 THEN description ELSE excluded.description END")
        ->bind_all(target.target_group_arn, target.id, target.port, target.availability_zone, target.state,
                   target.reason, target.description, target.registered_at)
        .run();
}

bool TargetGroupsStore::deregister_target(const std::string& target_group_arn, const std::string& id, int port,
                                          double now) {
    auto guard = m_db.lock();
    m_db.prepare(
            "UPDATE elb_targets SET registered = 0, deregistered_at = ?4, state = 'draining', "
            "reason = 'Target.DeregistrationInProgress', description = 'Target deregistration is in progress' "
            "WHERE target_group_arn = ?1 AND id = ?2 AND port = ?3 AND registered = 1")
        ->bind_all(target_group_arn, id, port, now)
        .run();
    return m_db.changes() > 0;
}

std::vector<TargetRecord> TargetGroupsStore::targets(const std::string& target_group_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT target_group_arn, id, port, availability_zone, registered, state, reason, description, registered_at, "
        "deregistered_at FROM elb_targets WHERE target_group_arn = ?1 ORDER BY rowid");
    query->bind_all(target_group_arn);
    std::vector<TargetRecord> rows;
    while (query->step())
        rows.push_back({query->text(0), query->text(1), static_cast<int>(query->int64(2)), query->optional_text(3),
                        query->int64(4) != 0, query->text(5), query->text(6), query->text(7), query->real(8),
                        query->optional_real(9)});
    return rows;
}

bool TargetGroupsStore::set_health(const TargetRecord& target) {
    auto guard = m_db.lock();
    m_db.prepare(
            "UPDATE elb_targets SET state = ?4, reason = ?5, description = ?6 "
            "WHERE target_group_arn = ?1 AND id = ?2 AND port = ?3")
        ->bind_all(target.target_group_arn, target.id, target.port, target.state, target.reason, target.description)
        .run();
    return m_db.changes() > 0;
}

void TargetGroupsStore::forget_target(const std::string& target_group_arn, const std::string& id, int port) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM elb_targets WHERE target_group_arn = ?1 AND id = ?2 AND port = ?3")
        ->bind_all(target_group_arn, id, port)
        .run();
}

}  // namespace ecsbox::store

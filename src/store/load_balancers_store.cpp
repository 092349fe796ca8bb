#include "store/load_balancers_store.hpp"

namespace ecsbox::store {

namespace {

constexpr const char* k_select_load_balancer =
    "SELECT arn, account, region, name, state, state_reason, body, attributes, created_at FROM elb_load_balancers ";
constexpr const char* k_select_listener =
    "SELECT arn, load_balancer_arn, port, local_port, body, created_at FROM elb_listeners ";
constexpr const char* k_select_rule = "SELECT arn, listener_arn, priority, body, created_at FROM elb_rules ";

LoadBalancerRecord read_load_balancer(const Statement& row) {
    return {row.text(0), {row.text(1), row.text(2)}, row.text(3), row.text(4), row.text(5),
            row.text(6), row.text(7),                row.real(8)};
}

ListenerRecord read_listener(const Statement& row) {
    return {row.text(0), row.text(1), static_cast<int>(row.int64(2)), static_cast<int>(row.int64(3)), row.text(4),
            row.real(5)};
}

RuleRecord read_rule(const Statement& row) {
    RuleRecord rule{row.text(0), row.text(1), std::nullopt, row.text(3), row.real(4), {}};
    if (!row.is_null(2)) rule.priority = static_cast<int>(row.int64(2));
    return rule;
}

}  // namespace

bool LoadBalancersStore::insert(const LoadBalancerRecord& record) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO elb_load_balancers (arn, account, region, name, state, state_reason, body, attributes, "
            "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING")
        ->bind_all(record.arn, record.scope.account, record.scope.region, record.name, record.state,
                   record.state_reason, record.body, record.attributes, record.created_at)
        .run();
    return m_db.changes() > 0;
}

std::optional<LoadBalancerRecord> LoadBalancersStore::find(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_load_balancer) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read_load_balancer(*query);
}

std::optional<LoadBalancerRecord> LoadBalancersStore::find_by_name(const Scope& scope, const std::string& name) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_load_balancer) + "WHERE account = ?1 AND region = ?2 AND name = ?3");
    query->bind_all(scope.account, scope.region, name);
    if (!query->step()) return std::nullopt;
    return read_load_balancer(*query);
}

std::vector<LoadBalancerRecord> LoadBalancersStore::list(const Scope& scope) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_load_balancer) + "WHERE account = ?1 AND region = ?2 ORDER BY name");
    query->bind_all(scope.account, scope.region);
    std::vector<LoadBalancerRecord> rows;
    while (query->step()) rows.push_back(read_load_balancer(*query));
    return rows;
}

std::vector<LoadBalancerRecord> LoadBalancersStore::list_all() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_load_balancer) + "ORDER BY arn");
    std::vector<LoadBalancerRecord> rows;
    while (query->step()) rows.push_back(read_load_balancer(*query));
    return rows;
}

void LoadBalancersStore::update_body(const std::string& arn, const std::string& body, const std::string& attributes) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE elb_load_balancers SET body = ?2, attributes = ?3 WHERE arn = ?1")
        ->bind_all(arn, body, attributes)
        .run();
}

void LoadBalancersStore::set_state(const std::string& arn, const std::string& state, const std::string& reason) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE elb_load_balancers SET state = ?2, state_reason = ?3 WHERE arn = ?1")
        ->bind_all(arn, state, reason)
        .run();
}

bool LoadBalancersStore::remove(const std::string& arn) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM elb_load_balancers WHERE arn = ?1")->bind_all(arn).run();
    return m_db.changes() > 0;
}

bool LoadBalancersStore::insert_listener(const ListenerRecord& record) {
    auto guard = m_db.lock();
    m_db.prepare(
            "INSERT INTO elb_listeners (arn, load_balancer_arn, port, local_port, body, created_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING")
        ->bind_all(record.arn, record.load_balancer_arn, record.port, record.local_port, record.body,
                   record.created_at)
        .run();
    return m_db.changes() > 0;
}

bool LoadBalancersStore::update_listener(const ListenerRecord& record) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE OR IGNORE elb_listeners SET port = ?2, body = ?3 WHERE arn = ?1")
        ->bind_all(record.arn, record.port, record.body)
        .run();
    return m_db.changes() > 0;
}

void LoadBalancersStore::set_local_port(const std::string& listener_arn, int local_port) {
    auto guard = m_db.lock();
    m_db.prepare("UPDATE elb_listeners SET local_port = ?2 WHERE arn = ?1")->bind_all(listener_arn, local_port).run();
}

std::optional<ListenerRecord> LoadBalancersStore::find_listener(const std::string& arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_listener) + "WHERE arn = ?1");
    query->bind_all(arn);
    if (!query->step()) return std::nullopt;
    return read_listener(*query);
}

std::vector<ListenerRecord> LoadBalancersStore::listeners(const std::string& load_balancer_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_listener) + "WHERE load_balancer_arn = ?1 ORDER BY port");
    query->bind_all(load_balancer_arn);
    std::vector<ListenerRecord> rows;
    while (query->step()) rows.push_back(read_listener(*query));
    return rows;
}

std::vector<ListenerRecord> LoadBalancersStore::all_listeners() {
    auto guard = m_db.lock();
    auto query = m_db.prepare(std::string(k_select_listener) + "ORDER BY arn");
    std::vector<ListenerRecord> rows;
    while (query->step()) rows.push_back(read_listener(*query));
    return rows;
}

bool LoadBalancersStore::remove_listener(const std::string& arn) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM elb_listeners WHERE arn = ?1")->bind_all(arn).run();
    return m_db.changes() > 0;
}

bool LoadBalancersStore::put_rule(const RuleRecord& rule) {
    auto guard = m_db.lock();
    Transaction tx(m_db);
    {
        auto taken = m_db.prepare("SELECT 1 FROM elb_rules WHERE listener_arn = ?1 AND priority = ?2 AND arn <> ?3");
        taken->bind_all(rule.listener_arn, rule.priority, rule.arn);
        if (rule.priority && taken->step()) return false;
    }
    m_db.prepare(
            "INSERT INTO elb_rules (arn, listener_arn, priority, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
            "ON CONFLICT (arn) DO UPDATE SET priority = excluded.priority, body = excluded.body")
        ->bind_all(rule.arn, rule.listener_arn, rule.priority, rule.body, rule.created_at)
        .run();
    m_db.prepare("DELETE FROM elb_rule_target_groups WHERE rule_arn = ?1")->bind_all(rule.arn).run();
    for (const auto& group : rule.target_groups)
        m_db.prepare("INSERT OR IGNORE INTO elb_rule_target_groups (rule_arn, target_group_arn) VALUES (?1, ?2)")
            ->bind_all(rule.arn, group)
            .run();
    tx.commit();
    return true;
}

void LoadBalancersStore::read_target_groups(RuleRecord& rule) {
    auto query = m_db.prepare("SELECT target_group_arn FROM elb_rule_target_groups WHERE rule_arn = ?1 ORDER BY rowid");
    query->bind_all(rule.arn);
    while (query->step()) rule.target_groups.push_back(query->text(0));
}

std::optional<RuleRecord> LoadBalancersStore::find_rule(const std::string& arn) {
    auto guard = m_db.lock();
    std::optional<RuleRecord> rule;
    {
        auto query = m_db.prepare(std::string(k_select_rule) + "WHERE arn = ?1");
        query->bind_all(arn);
        if (!query->step()) return std::nullopt;
        rule = read_rule(*query);
    }
    read_target_groups(*rule);
    return rule;
}

std::vector<RuleRecord> LoadBalancersStore::rules(const std::string& listener_arn) {
    auto guard = m_db.lock();
    std::vector<RuleRecord> rows;
    {
        auto query = m_db.prepare(std::string(k_select_rule) +
                                  "WHERE listener_arn = ?1 ORDER BY priority IS NULL, priority");
        query->bind_all(listener_arn);
        while (query->step()) rows.push_back(read_rule(*query));
    }
    for (auto& rule : rows) read_target_groups(rule);
    return rows;
}

bool LoadBalancersStore::remove_rule(const std::string& arn) {
    auto guard = m_db.lock();
    m_db.prepare("DELETE FROM elb_rules WHERE arn = ?1")->bind_all(arn).run();
    return m_db.changes() > 0;
}

std::vector<std::string> LoadBalancersStore::forwarding_to(const std::string& target_group_arn) {
    auto guard = m_db.lock();
    auto query = m_db.prepare(
        "SELECT DISTINCT l.load_balancer_arn FROM elb_rule_target_groups f "
        "JOIN elb_rules r ON r.arn = f.rule_arn JOIN elb_listeners l ON l.arn = r.listener_arn "
        "WHERE f.target_group_arn = ?1 ORDER BY l.load_balancer_arn");
    query->bind_all(target_group_arn);
    std::vector<std::string> arns;
    while (query->step()) arns.push_back(query->text(0));
    return arns;
}

}  // namespace ecsbox::store

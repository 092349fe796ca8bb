#pragma once
// ELBv2 load balancers with their listeners and rules, per account and region. The AWS-shaped
// parts (a load balancer's description and attributes, a listener's protocol and actions, a
// rule's conditions and actions) are JSON texts the ELBv2 handlers own; the store keys and
// orders the rows and keeps what the balancer made of them (a load balancer's state, the port
// a listener really listens on). A listener's default actions are its default rule, so every
// forward lives in one place. Listeners and rules go with their load balancer (ON DELETE
// CASCADE). Thread-safe through the Database lock; never raises AWS errors.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct LoadBalancerRecord {
    std::string arn;
    Scope scope;
    std::string name;
    std::string state = "provisioning";  // provisioning | active | active_impaired | failed
    std::string state_reason;
    std::string body;        // JSON object text
    std::string attributes;  // JSON object text: key -> value
    double created_at = 0;
};

struct ListenerRecord {
    std::string arn;
    std::string load_balancer_arn;
    int port = 0;
    int local_port = 0;  // the port it listens on; 0 until the balancer has opened it
    std::string body;    // JSON object text
    double created_at = 0;
};

struct RuleRecord {
    std::string arn;
    std::string listener_arn;
    std::optional<int> priority;  // none for the listener's default rule
    std::string body;             // JSON object text
    double created_at = 0;
    std::vector<std::string> target_groups;  // those its actions forward to
};

class LoadBalancersStore {
public:
    explicit LoadBalancersStore(Database& db) : m_db(db) {}

    // False when the scope already has a load balancer of that name.
    bool insert(const LoadBalancerRecord& record);
    std::optional<LoadBalancerRecord> find(const std::string& arn);
    std::optional<LoadBalancerRecord> find_by_name(const Scope& scope, const std::string& name);
    std::vector<LoadBalancerRecord> list(const Scope& scope);  // by name
    std::vector<LoadBalancerRecord> list_all();                // every scope, by ARN
    void update_body(const std::string& arn, const std::string& body, const std::string& attributes);
    void set_state(const std::string& arn, const std::string& state, const std::string& reason);
    bool remove(const std::string& arn);  // with its listeners and rules

    // False when the load balancer already has a listener on that port.
    bool insert_listener(const ListenerRecord& record);
    // Its port and body; false when another listener of its load balancer has that port.
    bool update_listener(const ListenerRecord& record);
    void set_local_port(const std::string& listener_arn, int local_port);
    std::optional<ListenerRecord> find_listener(const std::string& arn);
    std::vector<ListenerRecord> listeners(const std::string& load_balancer_arn);  // by port
    std::vector<ListenerRecord> all_listeners();
    bool remove_listener(const std::string& arn);  // with its rules

    // Inserts or replaces by ARN. False when another rule of the listener has that priority.
    bool put_rule(const RuleRecord& rule);
    std::optional<RuleRecord> find_rule(const std::string& arn);
    // A listener's rules by priority, its default rule last.
    std::vector<RuleRecord> rules(const std::string& listener_arn);
    bool remove_rule(const std::string& arn);

    // The load balancers whose listeners or rules forward to the target group, by ARN.
    std::vector<std::string> forwarding_to(const std::string& target_group_arn);

private:
    void read_target_groups(RuleRecord& rule);

    Database& m_db;
};

}  // namespace ecsbox::store

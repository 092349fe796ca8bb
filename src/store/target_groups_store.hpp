#pragma once
// ELBv2 target groups and their targets, per account and region. A group's description and
// attributes are JSON texts the ELBv2 handlers own. Targets are rows: handlers register and
// deregister them (a deregistered target stays, draining, until the balancer lets it go), the
// reconciler records the health the balancer reports. Targets go with their group (ON DELETE
// CASCADE). Thread-safe through the Database lock; never raises AWS errors.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct TargetGroupRecord {
    std::string arn;
    Scope scope;
    std::string name;
    std::string body;        // JSON object text
    std::string attributes;  // JSON object text: key -> value
    double created_at = 0;
};

struct TargetRecord {
    std::string target_group_arn;
    std::string id;  // an instance id, an IP address
    int port = 0;
    std::optional<std::string> availability_zone;
    bool registered = true;  // false while it drains
    std::string state = "initial";
    std::string reason = "Elb.RegistrationInProgress";
    std::string description = "Target registration is in progress";
    double registered_at = 0;
    std::optional<double> deregistered_at;  // while it drains
};

class TargetGroupsStore {
public:
    explicit TargetGroupsStore(Database& db) : m_db(db) {}

    // False when the scope already has a target group of that name.
    bool insert(const TargetGroupRecord& record);
    std::optional<TargetGroupRecord> find(const std::string& arn);
    std::optional<TargetGroupRecord> find_by_name(const Scope& scope, const std::string& name);
    std::vector<TargetGroupRecord> list(const Scope& scope);  // by name
    std::vector<TargetGroupRecord> list_all();                // every scope, by ARN
    void update(const std::string& arn, const std::string& body, const std::string& attributes);
    bool remove(const std::string& arn);  // with its targets

    // Registers the target, or registers again one that drains (its health starts over);
    // one already registered keeps its health.
    void register_target(const TargetRecord& target);
    // Starts the target's drain at `now`; false when it is not registered.
    bool deregister_target(const std::string& target_group_arn, const std::string& id, int port, double now);
    std::vector<TargetRecord> targets(const std::string& target_group_arn);  // in registration order
    // What the balancer reports of a target; false when it is no longer there.
    bool set_health(const TargetRecord& target);
    void forget_target(const std::string& target_group_arn, const std::string& id, int port);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

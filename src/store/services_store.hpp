#pragma once
// Services, their deployments and their events. Ownership is split as for tasks: handlers own a
// service's configuration and desired count and create deployments; the service scheduler owns
// deployment progress (rollout state, failures, status) and writes events. Counts of running
// and pending tasks are never stored: they are read from the tasks, so they cannot drift.
// `body` columns are AWS-shaped JSON texts. Thread-safe through the Database lock.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct ServiceRecord {
    std::string arn;
    std::string cluster_arn;
    std::string name;
    std::string status;               // ACTIVE | DRAINING | INACTIVE
    std::int64_t desired_count = 0;
    std::string scheduling_strategy;  // REPLICA | DAEMON
    std::string launch_type;          // EC2 | FARGATE | EXTERNAL ("" with a capacity provider strategy)
    std::string body;                 // the service's configuration as DescribeServices shows it
    double created_at = 0;
    double updated_at = 0;
    std::optional<double> inactive_at;
    Scope scope;  // filled on reads
};

struct DeploymentRecord {
    std::string id;   // ecs-svc/<digits>
    std::string arn;  // the service deployment's ARN (ListServiceDeployments)
    std::string service_arn;
    std::string status;  // PRIMARY | ACTIVE | INACTIVE
    std::string task_definition_arn;
    std::string rollout_state;  // IN_PROGRESS | COMPLETED | FAILED
    std::string rollout_state_reason;
    std::int64_t failed_tasks = 0;
    std::string body;  // launch configuration and scheduler bookkeeping
    double created_at = 0;
    double updated_at = 0;
    std::optional<double> finished_at;
};

struct ServiceEventRecord {
    std::string id;
    double created_at = 0;
    std::string message;
};

struct ServiceQuery {
    std::string cluster_arn;
    std::optional<std::string> launch_type;
    std::optional<std::string> scheduling_strategy;
    std::optional<std::string> after_arn;
    std::size_t limit = 100;
};

class ServicesStore {
public:
    explicit ServicesStore(Database& db) : m_db(db) {}

    // Inserts, or replaces the INACTIVE service of the same ARN with its deployments and events.
    void insert(const Scope& scope, const ServiceRecord& record);
    void update(const ServiceRecord& record);
    std::optional<ServiceRecord> find(const std::string& arn);
    // Services of a cluster that are not INACTIVE, ordered by ARN.
    std::vector<ServiceRecord> list(const ServiceQuery& query);
    // Services the scheduler still has work on (ACTIVE or DRAINING), in every account and region.
    std::vector<ServiceRecord> unfinished();
    // ACTIVE and DRAINING services of a cluster: (launch type, status) -> count.
    std::vector<std::pair<std::pair<std::string, std::string>, std::size_t>> count_by_launch_type(
        const std::string& cluster_arn);
    // Removes services INACTIVE since before `before`, with their deployments and events.
    std::vector<std::string> purge_inactive(double before);

    void put_deployment(const DeploymentRecord& deployment);  // insert or replace by id
    // A service's deployments, newest first; INACTIVE ones only with `with_inactive`.
    std::vector<DeploymentRecord> deployments(const std::string& service_arn, bool with_inactive = false);
    std::optional<DeploymentRecord> find_deployment(const std::string& arn_or_id);

    // Adds an event, keeping a service's newest `keep`.
    void add_event(const std::string& service_arn, const ServiceEventRecord& event, std::size_t keep = 100);
    std::vector<ServiceEventRecord> events(const std::string& service_arn);  // newest first

private:
    Database& m_db;
};

}  // namespace ecsbox::store

#pragma once
// Task rows. Ownership of the columns is split so the API and the reconciler never overwrite
// each other's writes: handlers own the desired state (desired_status, stop_code,
// stopped_reason); the reconciler owns what it observed (last_status and `body`, the AWS-shaped
// task document with containers and timestamps). Every change bumps `version`.
// Thread-safe through the Database lock.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct TaskRecord {
    std::string arn;
    std::string cluster_arn;
    std::string task_definition_arn;
    std::string family;
    std::optional<std::string> container_instance_arn;
    std::optional<std::string> started_by;
    std::optional<std::string> service_name;
    std::string launch_type;
    std::string last_status;
    std::string desired_status;
    std::optional<std::string> stop_code;
    std::optional<std::string> stopped_reason;
    std::int64_t version = 1;
    double created_at = 0;
    std::optional<double> stopped_at;
    bool service_accounted = false;  // its service's scheduler has taken its stop into account
    // What the service scheduler needs of a task's health, kept beside the document so it reads
    // thousands of tasks without parsing them: the task's healthStatus, whether its essential
    // containers have health checks, and when it became RUNNING.
    std::string health_status = "UNKNOWN";
    bool health_checked = false;
    std::optional<double> started_at;
    // What it reserves on its container instance (task-level CPU units and MiB) and its group,
    // as in the document.
    std::int64_t reserved_cpu = 0;
    std::int64_t reserved_memory = 0;
    std::string group;
    // Asked to stop, it keeps running until then (its load balancer targets drain) unless released.
    std::optional<double> stop_after;
    std::string body;  // JSON object text
    Scope scope;       // filled on reads
};

// How many of a service's tasks share a deployment and a state.
struct TaskTally {
    std::optional<std::string> started_by;
    std::string last_status;
    std::string desired_status;
    std::int64_t count = 0;
};

// How many of a service's tasks have settled, per deployment and container instance: RUNNING,
// meant to stay so, and serving (healthy, or without health checks and not unhealthy). The
// service scheduler counts these rather than reading them.
struct SettledTally {
    std::optional<std::string> started_by;
    std::optional<std::string> container_instance_arn;
    std::int64_t count = 0;
    std::int64_t running_since = 0;  // of them, RUNNING since the time asked for
    std::int64_t checked_or_running_since = 0;  // with health checks, or RUNNING since the other time
};

// What the tasks on a container instance that are not STOPPED hold.
struct InstanceLoad {
    std::int64_t reserved_cpu = 0;
    std::int64_t reserved_memory = 0;
    std::int64_t running = 0;                    // RUNNING
    std::int64_t pending = 0;                    // on their way to RUNNING, or stopping before it
    std::map<std::string, std::int64_t> groups;  // tasks per group, of those not asked to stop
};

struct TaskQuery {
    std::string cluster_arn;
    std::optional<std::string> family;
    std::optional<std::string> started_by;
    std::optional<std::string> service_name;
    std::optional<std::string> container_instance_arn;
    std::optional<std::string> desired_status;
    std::optional<std::string> launch_type;
    std::optional<std::string> after_arn;
    std::size_t limit = 100;
};

class TasksStore {
public:
    explicit TasksStore(Database& db) : m_db(db) {}

    void insert(const Scope& scope, const TaskRecord& record);
    std::optional<TaskRecord> find(const std::string& arn);
    // A task's version and whether it belongs to a service, without its document.
    std::optional<std::pair<std::int64_t, bool>> version_of(const std::string& arn);
    // By the last segment of its ARN (ids are random, so unique across scopes).
    std::optional<TaskRecord> find_by_id(const std::string& task_id);
    std::vector<TaskRecord> list(const TaskQuery& query);  // ordered by ARN
    // Tasks the reconciler still has work on: not yet STOPPED, in every account and region.
    std::vector<TaskRecord> unfinished();
    // The ARNs of the tasks on their way somewhere (not STOPPED and not settled in RUNNING),
    // oldest first.
    std::vector<std::string> moving_arns();
    // Up to `limit` ARNs of tasks settled in RUNNING, in ARN order after `after_arn`.
    std::vector<std::string> settled_arns(const std::string& after_arn, std::size_t limit);
    // Tasks holding resources on a container instance (not STOPPED).
    std::vector<TaskRecord> active_on(const std::string& container_instance_arn);
    // What they hold, counted, for one instance or for every instance of a cluster (by ARN).
    InstanceLoad load_on(const std::string& container_instance_arn);
    std::map<std::string, InstanceLoad> loads_in(const std::string& cluster_arn);
    // A service's tasks that are not STOPPED, or STOPPED and not yet accounted for by its
    // scheduler, without their documents (`body` is empty); with `unsettled_only`, those that
    // SettledTally does not count.
    std::vector<TaskRecord> of_service(const std::string& cluster_arn, const std::string& service_name,
                                       bool unsettled_only = false);
    // The service's settled tasks, counted, with how many have been RUNNING since
    // `running_since` and how many have health checks or have been RUNNING since `or_since`.
    std::vector<SettledTally> settled_of_service(const std::string& cluster_arn, const std::string& service_name,
                                                 double running_since, double or_since);
    // A service's tasks that are not STOPPED, counted by (startedBy, lastStatus, desiredStatus).
    std::vector<TaskTally> tally_of_service(const std::string& cluster_arn, const std::string& service_name);
    // Service scheduler side: the task's stop has been taken into account.
    void mark_service_accounted(const std::string& arn);
    // Number of tasks of a cluster per (launch type, lastStatus); pairs without tasks are absent.
    std::map<std::pair<std::string, std::string>, std::size_t> count_by_status(const std::string& cluster_arn);

    // Handler side: asks a task to stop; false if it was already asked (or is unknown).
    // With `stop_after`, the task keeps running until that time or until release_stop().
    bool request_stop(const std::string& arn, const std::string& stop_code, const std::string& reason,
                      std::optional<double> stop_after = std::nullopt);
    void release_stop(const std::string& arn);
    // Reconciler side: records what it observed.
    void record_progress(const std::string& arn, const std::string& last_status, const std::string& body,
                         std::optional<double> stopped_at, const std::string& health_status,
                         std::optional<double> started_at);
    // Removes STOPPED tasks that stopped before `before`; returns their ARNs.
    std::vector<std::string> purge_stopped(double before);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

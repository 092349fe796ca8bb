#pragma once
// Task definition revisions. Revisions of a family are numbered from 1 and never reused, even
// after a revision is deleted: the family row remembers the last number handed out.
// `body` is the AWS-shaped task definition (JSON text) without its status fields, which live in
// columns so they can change without rewriting the document. Thread-safe through the Database lock.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct TaskDefinitionRecord {
    std::string arn;
    std::string family;
    std::int64_t revision = 0;
    std::string status;  // ACTIVE | INACTIVE | DELETE_IN_PROGRESS
    std::string body;
    double registered_at = 0;
    std::optional<double> deregistered_at;
    std::optional<double> delete_requested_at;
};

struct TaskDefinitionKey {
    std::string family;
    std::int64_t revision = 0;
};

struct TaskDefinitionQuery {
    std::optional<std::string> family;  // exact family
    std::string status = "ACTIVE";
    bool descending = false;
    std::optional<TaskDefinitionKey> after;  // keyset position in the chosen order
    std::size_t limit = 100;
};

enum class FamilyFilter { active, inactive, all };

class TaskDefinitionsStore {
public:
    explicit TaskDefinitionsStore(Database& db) : m_db(db) {}

    // Reserves the next revision number of a family (1 for a new family). Call inside a transaction.
    std::int64_t next_revision(const Scope& scope, const std::string& family);
    void insert(const Scope& scope, const TaskDefinitionRecord& record);

    std::optional<TaskDefinitionRecord> find(const Scope& scope, const std::string& family, std::int64_t revision);
    std::optional<TaskDefinitionRecord> find_by_arn(const std::string& arn);
    // The newest ACTIVE revision of a family.
    std::optional<TaskDefinitionRecord> find_latest_active(const Scope& scope, const std::string& family);

    void deregister(const std::string& arn, double at);
    void mark_delete_in_progress(const std::string& arn, double at);
    // Removes revisions whose deletion was requested before `before`; returns their ARNs.
    std::vector<std::string> purge_deleted(double before);

    std::vector<TaskDefinitionRecord> list(const Scope& scope, const TaskDefinitionQuery& query);
    // Family names ordered by name, strictly after `after`.
    std::vector<std::string> list_families(const Scope& scope, const std::string& prefix, FamilyFilter filter,
                                           const std::optional<std::string>& after, std::size_t limit);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

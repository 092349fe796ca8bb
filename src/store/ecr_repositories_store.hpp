#pragma once
// ECR repository rows, per account and region. The AWS-shaped settings of a repository (tag
// mutability and its exclusion filters, scanning and encryption configuration) are one JSON text
// owned by the ECR handlers; the store keys rows, orders them and keeps the two policy texts.
// Images, tags, blob links and uploads hang off the repository id and are deleted with it
// (ON DELETE CASCADE). Thread-safe through the Database lock; never raises AWS errors.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct EcrRepositoryRecord {
    std::int64_t id = 0;  // assigned by insert(); never reused
    Scope scope;
    std::string name;
    std::string arn;
    double created_at = 0;
    std::string body;  // JSON object text
    std::optional<std::string> policy;
    std::optional<std::string> lifecycle_policy;
    std::optional<double> lifecycle_policy_updated_at;
    std::optional<double> lifecycle_evaluated_at;  // when a janitor last applied the policy
};

class EcrRepositoriesStore {
public:
    explicit EcrRepositoriesStore(Database& db) : m_db(db) {}

    std::optional<EcrRepositoryRecord> find(const Scope& scope, const std::string& name);
    std::optional<EcrRepositoryRecord> find_by_id(std::int64_t id);
    // Inserts `record` (its id is ignored) and returns the new id; nullopt when the scope already
    // has a repository of that name.
    std::optional<std::int64_t> insert(const EcrRepositoryRecord& record);
    // Repositories of a scope ordered by name, strictly after `after_name`, whose name starts with
    // `name_prefix` when one is given, at most `limit`.
    std::vector<EcrRepositoryRecord> list(const Scope& scope, const std::optional<std::string>& after_name,
                                          std::size_t limit,
                                          const std::optional<std::string>& name_prefix = std::nullopt);
    // Every repository of every scope, ordered by id: for janitors that walk them all.
    std::vector<EcrRepositoryRecord> list_all();

    // Each returns false when no repository has that id.
    bool update_body(std::int64_t id, const std::string& body);
    bool set_policy(std::int64_t id, const std::optional<std::string>& policy);
    // Sets (or with nullopt removes) the lifecycle policy; either way it counts as never evaluated.
    bool set_lifecycle_policy(std::int64_t id, const std::optional<std::string>& text, double updated_at);
    bool mark_lifecycle_evaluated(std::int64_t id, double evaluated_at);
    // Deletes the repository with its images, tags, blob links and upload sessions.
    bool remove(std::int64_t id);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

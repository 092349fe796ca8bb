#pragma once
// Cluster rows. The deep, AWS-shaped parts of a cluster (settings, configuration, capacity
// providers, service connect defaults) are one JSON text owned by the ECS handlers; the store
// only keys and orders rows. Thread-safe through the Database lock.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct ClusterRecord {
    std::string arn;
    std::string name;
    std::string status;  // ACTIVE | INACTIVE
    std::string body;    // JSON object text
    double created_at = 0;
};

class ClustersStore {
public:
    explicit ClustersStore(Database& db) : m_db(db) {}

    std::optional<ClusterRecord> find(const Scope& scope, const std::string& name);
    void put(const Scope& scope, const ClusterRecord& record);  // insert or replace, keyed by name
    // ACTIVE clusters ordered by name, strictly after `after_name`, at most `limit`.
    std::vector<ClusterRecord> list_active(const Scope& scope, const std::optional<std::string>& after_name,
                                           std::size_t limit);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

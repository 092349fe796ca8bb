#pragma once
// Container instances (the local engine, registered in each cluster that runs tasks) and the
// engine facts they are made from, as the reconciler last saw them. `body` is the AWS-shaped
// document (resources, version info, agent state). Thread-safe through the Database lock.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/scope.hpp"

namespace ecsbox::store {

struct ContainerInstanceRecord {
    std::string arn;
    std::string cluster_arn;
    std::string status;  // ACTIVE | DRAINING | INACTIVE
    std::string body;
    double registered_at = 0;
};

// What the reconciler last learnt of a container engine.
struct EngineRecord {
    std::string name;     // "local"
    std::string runtime;  // docker | none
    std::int64_t cpu_units = 0;
    std::int64_t memory_mib = 0;
    std::string docker_version;
    bool connected = false;
    double updated_at = 0;
};

// A custom attribute of a container instance (PutAttributes).
struct AttributeRecord {
    std::string target_type;  // container-instance
    std::string target_id;    // the instance's ARN
    std::string name;
    std::optional<std::string> value;
};

class ContainerInstancesStore {
public:
    explicit ContainerInstancesStore(Database& db) : m_db(db) {}

    void put(const Scope& scope, const ContainerInstanceRecord& record);  // insert or replace by ARN
    std::optional<ContainerInstanceRecord> find(const std::string& arn);
    // Instances of a cluster ordered by ARN, strictly after `after_arn`; INACTIVE ones excluded.
    std::vector<ContainerInstanceRecord> list(const std::string& cluster_arn, const std::optional<std::string>& status,
                                              const std::optional<std::string>& after_arn, std::size_t limit);

    // The registered (not INACTIVE) instance of the scope with that EC2 instance id, in any cluster.
    std::optional<ContainerInstanceRecord> find_by_ec2_instance_id(const Scope& scope, const std::string& id);
    // Instances of a cluster that are not INACTIVE.
    std::size_t count_registered(const std::string& cluster_arn);

    void put_attribute(const std::string& cluster_arn, const AttributeRecord& attribute);
    bool delete_attribute(const std::string& cluster_arn, const std::string& target_id, const std::string& name);
    // Attributes in a cluster (of one target when `target_id` is set), ordered by target then name.
    std::vector<AttributeRecord> attributes(const std::string& cluster_arn, const std::optional<std::string>& target_id);

    std::optional<EngineRecord> engine(const std::string& name);
    void put_engine(const EngineRecord& engine);

private:
    Database& m_db;
};

}  // namespace ecsbox::store

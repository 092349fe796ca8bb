#pragma once
// The store: one SQLite database under the data directory, migrated on open, and the
// per-resource tables over it. The only code in ecsbox that writes SQL. Thread-safe.
#include <string>

#include "store/account_settings_store.hpp"
#include "store/client_tokens_store.hpp"
#include "store/clusters_store.hpp"
#include "store/container_instances_store.hpp"
#include "store/db.hpp"
#include "store/ecr_images_store.hpp"
#include "store/ecr_repositories_store.hpp"
#include "store/load_balancers_store.hpp"
#include "store/services_store.hpp"
#include "store/tags_store.hpp"
#include "store/task_definitions_store.hpp"
#include "store/target_groups_store.hpp"
#include "store/tasks_store.hpp"

namespace ecsbox::store {

class Store {
public:
    // Opens <data_dir>/ecsbox.db and migrates it. Throws SchemaTooNewError or StoreError.
    explicit Store(const std::string& data_dir);

    // A random id made when the data directory was first used. Containers carry it, so several
    // ecsbox instances sharing one Docker engine never take each other's containers for orphans.
    const std::string& installation_id() const { return m_installation_id; }

    // A random secret made when the data directory was first used, that signs registry auth
    // tokens: a token stays valid across restarts, and only this data directory can make one.
    const std::string& registry_secret() const { return m_registry_secret; }

    // Groups several mutations into one atomic unit; nests.
    [[nodiscard]] Transaction transaction() { return Transaction(m_db); }
    // Forgets every resource in one transaction, as a fresh data directory would have none; the
    // installation's identity and the engine's facts stay.
    void reset();

    ClustersStore& clusters() { return m_clusters; }
    TaskDefinitionsStore& task_definitions() { return m_task_definitions; }
    TagsStore& tags() { return m_tags; }
    AccountSettingsStore& account_settings() { return m_account_settings; }
    TasksStore& tasks() { return m_tasks; }
    ContainerInstancesStore& container_instances() { return m_container_instances; }
    ClientTokensStore& client_tokens() { return m_client_tokens; }
    EcrRepositoriesStore& ecr_repositories() { return m_ecr_repositories; }
    EcrImagesStore& ecr_images() { return m_ecr_images; }
    ServicesStore& services() { return m_services; }
    LoadBalancersStore& load_balancers() { return m_load_balancers; }
    TargetGroupsStore& target_groups() { return m_target_groups; }

private:
    Database m_db;
    std::string m_installation_id;
    std::string m_registry_secret;
    ClustersStore m_clusters{m_db};
    TaskDefinitionsStore m_task_definitions{m_db};
    TagsStore m_tags{m_db};
    AccountSettingsStore m_account_settings{m_db};
    TasksStore m_tasks{m_db};
    ContainerInstancesStore m_container_instances{m_db};
    ClientTokensStore m_client_tokens{m_db};
    EcrRepositoriesStore m_ecr_repositories{m_db};
    EcrImagesStore m_ecr_images{m_db};
    ServicesStore m_services{m_db};
    LoadBalancersStore m_load_balancers{m_db};
    TargetGroupsStore m_target_groups{m_db};
};

}  // namespace ecsbox::store

#include "ecs/ecs_service.hpp"

#include "ecs/account_settings.hpp"
#include "ecs/clusters.hpp"
#include "ecs/container_instances.hpp"
#include "ecs/service_deployments.hpp"
#include "ecs/services.hpp"
#include "ecs/tags.hpp"
#include "ecs/task_definitions.hpp"
#include "ecs/tasks.hpp"

namespace ecsbox::ecs {

const protocol::ServiceSpec<EcsContext>& service_spec() {
    static const protocol::ServiceSpec<EcsContext> spec{
        "ecs",
        {"InvalidParameterException", "UnsupportedFeatureException"},
        {
            {"CreateCluster", create_cluster},
            {"DescribeClusters", describe_clusters},
            {"ListClusters", list_clusters},
            {"UpdateCluster", update_cluster},
            {"UpdateClusterSettings", update_cluster_settings},
            {"PutClusterCapacityProviders", put_cluster_capacity_providers},
            {"DeleteCluster", delete_cluster},
            {"RegisterTaskDefinition", register_task_definition},
            {"DescribeTaskDefinition", describe_task_definition},
            {"ListTaskDefinitions", list_task_definitions},
            {"ListTaskDefinitionFamilies", list_task_definition_families},
            {"DeregisterTaskDefinition", deregister_task_definition},
            {"DeleteTaskDefinitions", delete_task_definitions},
            {"TagResource", tag_resource},
            {"UntagResource", untag_resource},
            {"ListTagsForResource", list_tags_for_resource},
            {"PutAccountSetting", put_account_setting},
            {"PutAccountSettingDefault", put_account_setting_default},
            {"DeleteAccountSetting", delete_account_setting},
            {"ListAccountSettings", list_account_settings},
            {"RunTask", run_task},
            {"StartTask", start_task},
            {"StopTask", stop_task},
            {"DescribeTasks", describe_tasks},
            {"ListTasks", list_tasks},
            {"ListContainerInstances", list_container_instances},
            {"DescribeContainerInstances", describe_container_instances},
            {"UpdateContainerInstancesState", update_container_instances_state},
            {"RegisterContainerInstance", register_container_instance},
            {"DeregisterContainerInstance", deregister_container_instance},
            {"PutAttributes", put_attributes},
            {"ListAttributes", list_attributes},
            {"DeleteAttributes", delete_attributes},
            {"CreateService", create_service},
            {"UpdateService", update_service},
            {"DeleteService", delete_service},
            {"DescribeServices", describe_services},
            {"ListServices", list_services},
            {"ListServicesByNamespace", list_services_by_namespace},
            {"ListServiceDeployments", list_service_deployments},
            {"DescribeServiceDeployments", describe_service_deployments},
            {"DescribeServiceRevisions", describe_service_revisions},
            {"StopServiceDeployment", stop_service_deployment},
        },
    };
    return spec;
}

}  // namespace ecsbox::ecs

#pragma once
// The labels ecsbox puts on the containers and volumes it creates. The reconciler finds a task's
// containers by them (never by remembered ids), so they are the whole link between the store and
// the engine after a restart. The com.amazonaws.ecs.* names are the ones the ECS agent uses.
namespace ecsbox::scheduler::labels {

constexpr const char* k_task_arn = "com.amazonaws.ecs.task-arn";
constexpr const char* k_container_name = "com.amazonaws.ecs.container-name";
constexpr const char* k_cluster = "com.amazonaws.ecs.cluster";
constexpr const char* k_family = "com.amazonaws.ecs.task-definition-family";
constexpr const char* k_revision = "com.amazonaws.ecs.task-definition-version";
// The ecsbox installation (Store::installation_id) that made the container.
constexpr const char* k_installation = "ecsbox.installation";

}  // namespace ecsbox::scheduler::labels

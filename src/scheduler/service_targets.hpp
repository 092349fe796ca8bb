#pragma once
// Where a service task is reached for one of its service's loadBalancers entries, as ECS
// registers it: for a target group of type instance, its container instance's EC2 instance id
// and the host port its container's port is published on; for type ip (awsvpc tasks), the
// task's address and the container port. None until the task's container has that port bound.
// Pure.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace ecsbox::scheduler {

struct ServiceTarget {
    std::string target_group_arn;
    std::string id;
    int port = 0;
    bool operator==(const ServiceTarget&) const = default;
};

// `entry` is {targetGroupArn, containerName, containerPort}; `task` the task's document.
std::optional<ServiceTarget> target_of(const nlohmann::json& task, const nlohmann::json& entry,
                                       const std::string& target_type, const std::string& ec2_instance_id);

}  // namespace ecsbox::scheduler

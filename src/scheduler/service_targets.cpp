#include "scheduler/service_targets.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

std::optional<ServiceTarget> target_of(const json& task, const json& entry, const std::string& target_type,
                                       const std::string& ec2_instance_id) {
    const auto name = entry.value("containerName", std::string());
    const auto port = entry.value("containerPort", 0);
    for (const auto& container : task.value("containers", json::array())) {
        if (container.value("name", std::string()) != name) continue;
        if (target_type == "ip") {
            for (const auto& interface : container.value("networkInterfaces", json::array()))
                if (interface.contains("privateIpv4Address"))
                    return ServiceTarget{entry.value("targetGroupArn", std::string()),
                                         interface["privateIpv4Address"].get<std::string>(), port};
            return std::nullopt;
        }
        if (ec2_instance_id.empty()) return std::nullopt;
        for (const auto& binding : container.value("networkBindings", json::array()))
            // The IPv4 binding: Docker may publish another port for IPv6, and the balancer
            // dials the instance over IPv4.
            if (binding.value("containerPort", 0) == port && binding.value("protocol", std::string("tcp")) == "tcp" &&
                binding.value("hostPort", 0) != 0 &&
                binding.value("bindIP", std::string()).find(':') == std::string::npos)
                return ServiceTarget{entry.value("targetGroupArn", std::string()), ec2_instance_id,
                                     binding["hostPort"].get<int>()};
    }
    return std::nullopt;
}

}  // namespace ecsbox::scheduler

#include "ecs/task_definition_rules.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "ecs/arns.hpp"
#include "ecs/errors.hpp"
#include "util/port_range.hpp"

namespace ecsbox::ecs {

using nlohmann::json;

namespace {

// "<number> <unit>" with an optional unit; the number may be fractional.
std::optional<long> parse_quantity(const std::string& text, const std::string& unit, double unit_size) {
    std::size_t i = 0;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == 0 || i > 12) return std::nullopt;
    double number = 0;
    try {
        number = std::stod(text.substr(0, i));
    } catch (...) {
        return std::nullopt;
    }
    std::string rest;
    for (std::size_t k = i; k < text.size(); ++k)
        if (!std::isspace(static_cast<unsigned char>(text[k])))
            rest += static_cast<char>(std::tolower(static_cast<unsigned char>(text[k])));
    if (rest.empty()) {
        if (text.find('.') != std::string::npos) return std::nullopt;  // plain units are whole numbers
        return static_cast<long>(number);
    }
    if (rest != unit) return std::nullopt;
    return std::lround(number * unit_size);
}

struct FargateCpu {
    long cpu, min_memory, max_memory, step;
};
constexpr FargateCpu k_fargate_sizes[] = {
    {256, 512, 2048, 0},          // 512, 1024, 2048
    {512, 1024, 4096, 1024},      {1024, 2048, 8192, 1024},    {2048, 4096, 16384, 1024},
    {4096, 8192, 30720, 1024},    {8192, 16384, 61440, 4096},  {16384, 32768, 122880, 8192},
};

bool requires_fargate(const json& td) {
    for (const auto& c : td.value("requiresCompatibilities", json::array()))
        if (c == "FARGATE") return true;
    return false;
}
// containerPort or containerPortRange, as ECS allows them.
void check_port_mapping(const json& pm, const std::string& container, const std::string& network_mode) {
    const bool single = pm.contains("containerPort"), range = pm.contains("containerPortRange");
    if (single == range)
        throw client_error("Invalid port mapping for container '" + container +
                           "': specify either containerPort or containerPortRange.");
    if (!range) return;
    const auto text = pm["containerPortRange"].get<std::string>();
    if (!util::parse_port_range(text))
        throw client_error("Invalid containerPortRange '" + text + "' for container '" + container +
                           "': use <first>-<last>, ports 1-65535, first below last.");
    if (pm.contains("hostPort"))
        throw client_error("Invalid port mapping for container '" + container +
                           "': hostPort cannot be set with containerPortRange.");
    if (network_mode != "bridge" && network_mode != "awsvpc")
        throw client_error("containerPortRange is supported only with the bridge and awsvpc network modes.");
}


void check_containers(const json& td) {
    const auto& containers = td.at("containerDefinitions");
    if (containers.empty()) throw client_error("Container list cannot be empty.");
    const bool task_memory = td.contains("memory");
    const std::string network_mode = td.value("networkMode", "bridge");
    std::set<std::string> names;
    for (const auto& c : containers) {
        const auto name = c.value("name", std::string());
        if (name.empty()) throw client_error("Container.name should not be null or empty.");
        if (!is_ecs_name(name))
            throw client_error("Container name '" + name +
                               "' is invalid: up to 255 letters (uppercase and lowercase), numbers, hyphens, and "
                               "underscores are allowed.");
        if (!names.insert(name).second) throw client_error("Duplicate container name: " + name + ".");
        if (c.value("image", std::string()).empty()) throw client_error("Container.image should not be null or empty.");
        const bool has_memory = c.contains("memory"), has_reservation = c.contains("memoryReservation");
        if (!task_memory && !has_memory && !has_reservation)
            throw client_error("Invalid setting for container '" + name +
                               "'. At least one of 'memory' or 'memoryReservation' must be specified.");
        if (has_memory && c["memory"].get<long>() < 6)
            throw client_error("The 'memory' setting for container '" + name + "' is too low. Minimum allowed is 6 MiB.");
        if (has_memory && has_reservation && c["memoryReservation"].get<long>() > c["memory"].get<long>())
            throw client_error("Invalid setting for container '" + name +
                               "'. 'memory' must be greater than or equal to 'memoryReservation'.");
        if (network_mode == "awsvpc" || network_mode == "host")
            for (const auto& pm : c.value("portMappings", json::array()))
                if (pm.contains("hostPort") && pm.contains("containerPort") && pm["hostPort"] != pm["containerPort"])
                    throw client_error("When networkMode=" + network_mode +
                                       ", the host ports and container ports in port mappings must match.");
        for (const auto& pm : c.value("portMappings", json::array())) check_port_mapping(pm, name, network_mode);
        if (network_mode == "awsvpc" && c.contains("links"))
            throw client_error("Links are not supported when networkMode=awsvpc.");
    }
    std::set<std::string> volumes;
    for (const auto& v : td.value("volumes", json::array())) volumes.insert(v.value("name", std::string()));
    for (const auto& c : containers) {
        for (const auto& dep : c.value("dependsOn", json::array()))
            if (!names.count(dep.value("containerName", std::string())))
                throw client_error("Container '" + c["name"].get<std::string>() + "' depends on container '" +
                                   dep.value("containerName", std::string()) + "', which is not in the task definition.");
        for (const auto& mp : c.value("mountPoints", json::array()))
            if (mp.contains("sourceVolume") && !volumes.count(mp["sourceVolume"].get<std::string>()))
                throw client_error("Invalid 'sourceVolume' value '" + mp["sourceVolume"].get<std::string>() +
                                   "': no volume of that name is declared in the task definition.");
        for (const auto& vf : c.value("volumesFrom", json::array()))
            if (vf.contains("sourceContainer") && !names.count(vf["sourceContainer"].get<std::string>()))
                throw client_error("Invalid 'sourceContainer' value '" + vf["sourceContainer"].get<std::string>() +
                                   "': no container of that name is in the task definition.");
    }
}

// Task-level cpu/memory become plain unit strings, as ECS stores them.
void normalize_size(json& td) {
    if (td.contains("cpu")) {
        const auto cpu = parse_task_cpu(td["cpu"].get<std::string>());
        if (!cpu || *cpu < 1) throw client_error("Invalid 'cpu' setting for task: '" + td["cpu"].get<std::string>() + "'.");
        td["cpu"] = std::to_string(*cpu);
    }
    if (td.contains("memory")) {
        const auto memory = parse_task_memory(td["memory"].get<std::string>());
        if (!memory || *memory < 1)
            throw client_error("Invalid 'memory' setting for task: '" + td["memory"].get<std::string>() + "'.");
        td["memory"] = std::to_string(*memory);
    }
}

void check_fargate(const json& td) {
    if (td.value("networkMode", "") != "awsvpc") throw client_error("Fargate only supports network mode 'awsvpc'.");
    if (!td.contains("cpu")) throw client_error("Fargate requires that 'cpu' be defined at the task level.");
    if (!td.contains("memory")) throw client_error("Fargate requires that 'memory' be defined at the task level.");
    const long cpu = std::stol(td["cpu"].get<std::string>()), memory = std::stol(td["memory"].get<std::string>());
    if (!is_valid_fargate_size(cpu, memory))
        throw client_error("No Fargate configuration exists for given values: " + std::to_string(cpu) + " CPU, " +
                           std::to_string(memory) + " memory. See the Amazon ECS documentation for the valid values.");
    for (const auto& c : td["containerDefinitions"]) {
        if (c.value("privileged", false))
            throw client_error("Fargate does not support privileged containers ('" + c["name"].get<std::string>() + "').");
        const auto& log = c.value("logConfiguration", json::object());
        if (log.value("logDriver", "") == "awslogs" && !td.contains("executionRoleArn"))
            throw client_error("Fargate requires task definition to have execution role ARN to support log driver awslogs.");
    }
}

// The defaults ECS writes into every container definition it stores.
void add_container_defaults(json& td) {
    const std::string network_mode = td.value("networkMode", "bridge");
    for (auto& c : td["containerDefinitions"]) {
        if (!c.contains("cpu")) c["cpu"] = 0;
        if (!c.contains("essential")) c["essential"] = true;
        for (const char* list : {"portMappings", "environment", "mountPoints", "volumesFrom", "systemControls"})
            if (!c.contains(list)) c[list] = json::array();
        for (auto& pm : c["portMappings"]) {
            if (!pm.contains("protocol")) pm["protocol"] = "tcp";
            if ((network_mode == "awsvpc" || network_mode == "host") && !pm.contains("hostPort") &&
                pm.contains("containerPort"))
                pm["hostPort"] = pm["containerPort"];
        }
    }
    if (!td.contains("volumes")) td["volumes"] = json::array();
    if (!td.contains("placementConstraints")) td["placementConstraints"] = json::array();
}

bool fargate_compatible(const json& td) {
    if (td.value("networkMode", "") != "awsvpc" || !td.contains("cpu") || !td.contains("memory")) return false;
    if (!is_valid_fargate_size(std::stol(td["cpu"].get<std::string>()), std::stol(td["memory"].get<std::string>())))
        return false;
    if (!td["placementConstraints"].empty()) return false;
    for (const auto& v : td["volumes"])
        if (v.contains("host") && v["host"].contains("sourcePath")) return false;
    for (const auto& c : td["containerDefinitions"])
        if (c.value("privileged", false) || c.contains("links")) return false;
    return true;
}

json compatibilities(const json& td) {
    json out = json::array();
    if (td.value("networkMode", "bridge") != "awsvpc") out.push_back("EXTERNAL");
    out.push_back("EC2");
    if (fargate_compatible(td)) out.push_back("FARGATE");
    return out;
}

// The container-agent capabilities a container instance must advertise to run this definition.
json requires_attributes(const json& td) {
    std::set<std::string> names;
    const auto network_mode = td.value("networkMode", "bridge");
    if (network_mode == "awsvpc") names.insert("ecs.capability.task-eni");
    else if (network_mode != "bridge") names.insert("com.amazonaws.ecs.capability.docker-remote-api.1.18");
    if (td.contains("taskRoleArn")) names.insert("com.amazonaws.ecs.capability.task-iam-role");
    const bool execution_role = td.contains("executionRoleArn");
    for (const auto& c : td["containerDefinitions"]) {
        if (c.contains("memoryReservation")) names.insert("com.amazonaws.ecs.capability.docker-remote-api.1.21");
        if (c.contains("dockerLabels") || c.contains("ulimits"))
            names.insert("com.amazonaws.ecs.capability.docker-remote-api.1.18");
        if (c.contains("healthCheck")) names.insert("ecs.capability.container-health-check");
        if (c.contains("dependsOn") || c.contains("startTimeout") || c.contains("stopTimeout"))
            names.insert("ecs.capability.container-ordering");
        if (c.contains("environmentFiles")) names.insert("ecs.capability.env-files.s3");
        if (c.contains("linuxParameters") && c["linuxParameters"].contains("initProcessEnabled"))
            names.insert("com.amazonaws.ecs.capability.docker-remote-api.1.25");
        if (c.contains("logConfiguration")) {
            const auto driver = c["logConfiguration"].value("logDriver", "");
            names.insert("com.amazonaws.ecs.capability.logging-driver." + driver);
            names.insert("com.amazonaws.ecs.capability.docker-remote-api.1.19");
            if (driver == "awslogs" && execution_role) names.insert("ecs.capability.execution-role-awslogs");
        }
        for (const auto& s : c.value("secrets", json::array())) {
            const auto from = s.value("valueFrom", "");
            names.insert(from.find(":secretsmanager:") != std::string::npos
                             ? "ecs.capability.secrets.asm.environment-variables"
                             : "ecs.capability.secrets.ssm.environment-variables");
        }
        if (c.value("image", "").find(".dkr.ecr.") != std::string::npos) {
            names.insert("com.amazonaws.ecs.capability.ecr-auth");
            if (execution_role) names.insert("ecs.capability.execution-role-ecr-pull");
        }
    }
    for (const auto& v : td["volumes"])
        if (v.contains("dockerVolumeConfiguration")) names.insert("com.amazonaws.ecs.capability.docker-remote-api.1.25");
    json out = json::array();
    for (const auto& name : names) out.push_back({{"name", name}});
    return out;
}

}  // namespace

std::optional<long> parse_task_cpu(const std::string& text) { return parse_quantity(text, "vcpu", 1024); }
std::optional<long> parse_task_memory(const std::string& text) { return parse_quantity(text, "gb", 1024); }

bool is_valid_fargate_size(long cpu, long memory) {
    for (const auto& size : k_fargate_sizes) {
        if (size.cpu != cpu) continue;
        if (size.step == 0) return memory == 512 || memory == 1024 || memory == 2048;
        return memory >= size.min_memory && memory <= size.max_memory && (memory - size.min_memory) % size.step == 0;
    }
    return false;
}

json normalize_task_definition(const json& request) {
    json td = request;
    td.erase("tags");
    const auto family = td.at("family").get<std::string>();
    if (!is_ecs_name(family))
        throw client_error("Family '" + family +
                           "' is invalid: up to 255 letters (uppercase and lowercase), numbers, hyphens, and "
                           "underscores are allowed.");
    normalize_size(td);
    check_containers(td);
    if (requires_fargate(td)) check_fargate(td);
    add_container_defaults(td);
    td["compatibilities"] = compatibilities(td);
    td["requiresAttributes"] = requires_attributes(td);
    return td;
}

}  // namespace ecsbox::ecs

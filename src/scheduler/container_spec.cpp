#include "scheduler/container_spec.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "scheduler/labels.hpp"
#include "util/port_range.hpp"

namespace ecsbox::scheduler {

using nlohmann::json;

namespace {

constexpr std::int64_t k_mib = 1024 * 1024;
constexpr std::int64_t k_ns_per_second = 1000000000;

const json* find_override(const json& overrides, const std::string& name) {
    const auto list = overrides.find("containerOverrides");
    if (list == overrides.end()) return nullptr;
    for (const auto& o : *list)
        if (o.value("name", "") == name) return &o;
    return nullptr;
}

// environmentFiles name local files here (ECS reads S3 objects): KEY=VALUE lines, # comments.
void read_environment_file(const std::string& path, std::vector<std::pair<std::string, std::string>>& env) {
    std::ifstream in(path);
    if (!in) throw SpecError("ResourceInitializationError: failed to read environment file " + path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos || eq == 0) continue;
        env.emplace_back(line.substr(0, eq), line.substr(eq + 1));
    }
}

void set_env(std::vector<std::pair<std::string, std::string>>& env, const std::string& name, const std::string& value) {
    const auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return e.first == name; });
    if (it != env.end()) it->second = value;
    else env.emplace_back(name, value);
}

// What ECS puts in every container's environment, where the definition's own variables may
// override it: the region, and (ecsbox's addition) the endpoint SDKs should call.
void add_platform_defaults(std::vector<std::pair<std::string, std::string>>& env, const TaskFacts& task) {
    if (!task.region.empty()) {
        env.emplace_back("AWS_REGION", task.region);
        env.emplace_back("AWS_DEFAULT_REGION", task.region);
    }
    if (!task.endpoint.empty()) env.emplace_back("AWS_ENDPOINT_URL", task.endpoint);
}

json environment(const TaskFacts& task, const json& def, const json* over) {
    std::vector<std::pair<std::string, std::string>> env;
    add_platform_defaults(env, task);
    for (const auto& file : def.value("environmentFiles", json::array())) read_environment_file(file.value("value", ""), env);
    if (over)
        for (const auto& file : over->value("environmentFiles", json::array())) read_environment_file(file.value("value", ""), env);
    for (const auto& e : def.value("environment", json::array())) set_env(env, e.value("name", ""), e.value("value", ""));
    if (over)
        for (const auto& e : over->value("environment", json::array())) set_env(env, e.value("name", ""), e.value("value", ""));
    // The agent's own variable: it always names this container's metadata, whatever the
    // definition says.
    if (!task.endpoint.empty())
        set_env(env, "ECS_CONTAINER_METADATA_URI_V4",
                task.endpoint + "/v4/" + docker_container_name(task.task_id, def.at("name").get<std::string>()));
    json out = json::array();
    for (const auto& [name, value] : env) out.push_back(name + "=" + value);
    return out;
}

std::int64_t seconds(const json& object, const char* key, std::int64_t fallback) {
    return object.value(key, fallback) * k_ns_per_second;
}

json health_check(const json& hc) {
    return {{"Test", hc.at("command")},
            {"Interval", seconds(hc, "interval", 30)},
            {"Timeout", seconds(hc, "timeout", 5)},
            {"Retries", hc.value("retries", 3)},
            {"StartPeriod", seconds(hc, "startPeriod", 0)}};
}

void add_ports(json& config, json& host, const json& def, const std::string& network_mode) {
    if (network_mode == "host" || network_mode == "none") return;
    for (const auto& pm : def.value("portMappings", json::array())) {
        const auto protocol = pm.value("protocol", "tcp");
        if (const auto range = util::parse_port_range(pm.value("containerPortRange", ""))) {
            // Each port of a range goes to an ephemeral host port of its own, as the agent does.
            for (int port = range->first; port <= range->second; ++port) {
                const auto key = std::to_string(port) + "/" + protocol;
                config["ExposedPorts"][key] = json::object();
                host["PortBindings"][key] = json::array({{{"HostIp", ""}, {"HostPort", ""}}});
            }
            continue;
        }
        if (!pm.contains("containerPort")) continue;
        const auto key = std::to_string(pm["containerPort"].get<int>()) + "/" + protocol;
        // awsvpc gives each task its own address on AWS; locally tasks share the host, so their
        // ports are published on ephemeral host ports to keep tasks from colliding.
        const int host_port = network_mode == "awsvpc" ? 0 : pm.value("hostPort", 0);
        config["ExposedPorts"][key] = json::object();
        host["PortBindings"][key] = json::array({{{"HostIp", ""}, {"HostPort", host_port ? std::to_string(host_port) : ""}}});
    }
}

void add_mounts(json& host, const TaskFacts& task, const json& def) {
    json binds = json::array();
    for (const auto& mp : def.value("mountPoints", json::array())) {
        const auto source = mp.value("sourceVolume", "");
        const auto& volumes = task.task_definition["volumes"];
        const auto volume = std::find_if(volumes.begin(), volumes.end(), [&](const json& v) { return v.value("name", "") == source; });
        if (volume == volumes.end()) continue;  // registration refuses this; nothing to mount
        const bool host_path = volume->contains("host") && (*volume)["host"].contains("sourcePath");
        const auto from = host_path ? (*volume)["host"]["sourcePath"].get<std::string>() : docker_volume_name(task, *volume);
        binds.push_back(from + ":" + mp.value("containerPath", "") + (mp.value("readOnly", false) ? ":ro" : ""));
    }
    if (!binds.empty()) host["Binds"] = binds;
    json from = json::array();
    for (const auto& vf : def.value("volumesFrom", json::array()))
        from.push_back(docker_container_name(task.task_id, vf.value("sourceContainer", "")) +
                       (vf.value("readOnly", false) ? ":ro" : ""));
    if (!from.empty()) host["VolumesFrom"] = from;
}

void add_linux_parameters(json& host, const json& def) {
    const auto lp = def.value("linuxParameters", json::object());
    if (lp.value("initProcessEnabled", false)) host["Init"] = true;
    if (lp.contains("capabilities")) {
        if (lp["capabilities"].contains("add")) host["CapAdd"] = lp["capabilities"]["add"];
        if (lp["capabilities"].contains("drop")) host["CapDrop"] = lp["capabilities"]["drop"];
    }
    if (lp.contains("sharedMemorySize")) host["ShmSize"] = lp["sharedMemorySize"].get<std::int64_t>() * k_mib;
    if (lp.contains("tmpfs")) {
        json tmpfs = json::object();
        for (const auto& t : lp["tmpfs"]) {
            std::string options = "size=" + std::to_string(t.value("size", 0)) + "m";
            for (const auto& o : t.value("mountOptions", json::array())) options += "," + o.get<std::string>();
            tmpfs[t.value("containerPath", "")] = options;
        }
        host["Tmpfs"] = tmpfs;
    }
}

}  // namespace

std::string docker_container_name(const std::string& task_id, const std::string& container_name) {
    return "ecsbox-" + task_id + "-" + container_name;
}

std::optional<ContainerKey> parse_docker_container_name(const std::string& docker_name) {
    constexpr std::string_view prefix = "ecsbox-";
    constexpr std::size_t id_length = 32;  // task ids are 32 hex digits
    if (!docker_name.starts_with(prefix) || docker_name.size() < prefix.size() + id_length + 2) return std::nullopt;
    const auto id = docker_name.substr(prefix.size(), id_length);
    if (!std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
        return std::nullopt;
    if (docker_name[prefix.size() + id_length] != '-') return std::nullopt;
    return ContainerKey{id, docker_name.substr(prefix.size() + id_length + 1)};
}

std::string docker_volume_name(const TaskFacts& task, const json& volume) {
    const auto name = volume.value("name", "");
    const auto config = volume.value("dockerVolumeConfiguration", json::object());
    if (config.value("scope", "task") == "shared") return name;
    return "ecsbox-" + task.task_id + "-" + name;
}

std::vector<std::pair<std::string, json>> task_volumes(const TaskFacts& task) {
    std::vector<std::pair<std::string, json>> out;
    for (const auto& volume : task.task_definition.value("volumes", json::array())) {
        if (volume.contains("host") && volume["host"].contains("sourcePath")) continue;
        const auto config = volume.value("dockerVolumeConfiguration", json::object());
        json options = {{"Driver", config.value("driver", "local")},
                        {"DriverOpts", config.value("driverOpts", json::object())},
                        {"Labels", config.value("labels", json::object())}};
        options["Labels"][labels::k_task_arn] = task.task_arn;
        options["Labels"][labels::k_installation] = task.installation_id;
        out.emplace_back(docker_volume_name(task, volume), options);
    }
    return out;
}

std::vector<std::string> task_scoped_volumes(const TaskFacts& task) {
    std::vector<std::string> out;
    for (const auto& volume : task.task_definition.value("volumes", json::array())) {
        if (volume.contains("host") && volume["host"].contains("sourcePath")) continue;
        if (volume.value("dockerVolumeConfiguration", json::object()).value("scope", "task") == "task")
            out.push_back(docker_volume_name(task, volume));
    }
    return out;
}

json container_config(const TaskFacts& task, const json& def) {
    const auto name = def.at("name").get<std::string>();
    const json* over = find_override(task.overrides, name);
    if (!def.value("secrets", json::array()).empty())
        throw SpecError("ResourceInitializationError: unable to pull secrets or registry auth: ecsbox cannot "
                        "resolve secrets yet (no Secrets Manager or SSM Parameter Store); container " + name);
    const auto network_mode = task.task_definition.value("networkMode", "bridge");

    json docker_labels = def.value("dockerLabels", json::object());
    docker_labels[labels::k_task_arn] = task.task_arn;
    docker_labels[labels::k_installation] = task.installation_id;
    docker_labels[labels::k_container_name] = name;
    docker_labels[labels::k_cluster] = task.cluster_arn;
    docker_labels[labels::k_family] = task.family;
    docker_labels[labels::k_revision] = std::to_string(task.revision);

    json config = {{"Image", def.at("image")}, {"Env", environment(task, def, over)}, {"Labels", docker_labels}};
    if (over && over->contains("command")) config["Cmd"] = (*over)["command"];
    else if (def.contains("command")) config["Cmd"] = def["command"];
    if (def.contains("entryPoint")) config["Entrypoint"] = def["entryPoint"];
    if (def.contains("hostname")) config["Hostname"] = def["hostname"];
    if (def.contains("user")) config["User"] = def["user"];
    if (def.contains("workingDirectory")) config["WorkingDir"] = def["workingDirectory"];
    if (def.contains("healthCheck")) config["Healthcheck"] = health_check(def["healthCheck"]);
    if (def.contains("stopTimeout")) config["StopTimeout"] = def["stopTimeout"];
    if (def.value("interactive", false)) config["OpenStdin"] = true;
    if (def.value("pseudoTerminal", false)) config["Tty"] = true;

    json host = json::object();
    host["NetworkMode"] = network_mode == "host" || network_mode == "none" ? network_mode : "bridge";
    add_ports(config, host, def, network_mode);
    const auto cpu = over && over->contains("cpu") ? (*over)["cpu"].get<std::int64_t>() : def.value("cpu", std::int64_t{0});
    host["CpuShares"] = std::max<std::int64_t>(cpu, 2);  // Docker reads 0 as "default"; ECS gives the minimum
    const auto memory = over && over->contains("memory") ? (*over)["memory"] : def.value("memory", json());
    if (!memory.is_null()) host["Memory"] = memory.get<std::int64_t>() * k_mib;
    const auto reservation =
        over && over->contains("memoryReservation") ? (*over)["memoryReservation"] : def.value("memoryReservation", json());
    if (!reservation.is_null()) host["MemoryReservation"] = reservation.get<std::int64_t>() * k_mib;
    if (def.value("privileged", false)) host["Privileged"] = true;
    if (def.value("readonlyRootFilesystem", false)) host["ReadonlyRootfs"] = true;
    if (def.contains("ulimits")) {
        json ulimits = json::array();
        for (const auto& u : def["ulimits"])
            ulimits.push_back({{"Name", u.value("name", "")}, {"Soft", u.value("softLimit", 0)}, {"Hard", u.value("hardLimit", 0)}});
        host["Ulimits"] = ulimits;
    }
    if (def.contains("links")) {
        json links = json::array();
        for (const auto& link : def["links"]) {
            const auto text = link.get<std::string>();
            const auto colon = text.find(':');
            const auto target = text.substr(0, colon);
            const auto alias = colon == std::string::npos ? target : text.substr(colon + 1);
            links.push_back(docker_container_name(task.task_id, target) + ":" + alias);
        }
        host["Links"] = links;
    }
    if (def.contains("extraHosts")) {
        json hosts = json::array();
        for (const auto& h : def["extraHosts"]) hosts.push_back(h.value("hostname", "") + ":" + h.value("ipAddress", ""));
        host["ExtraHosts"] = hosts;
    }
    if (def.contains("dnsServers")) host["Dns"] = def["dnsServers"];
    if (def.contains("dnsSearchDomains")) host["DnsSearch"] = def["dnsSearchDomains"];
    if (def.contains("dockerSecurityOptions")) host["SecurityOpt"] = def["dockerSecurityOptions"];
    if (def.contains("logConfiguration")) {
        const auto& log = def["logConfiguration"];
        const auto driver = log.value("logDriver", "json-file");
        // awslogs, awsfirelens and splunk need AWS or remote endpoints; locally their logs stay
        // in Docker's own json-file log, where `docker logs` (and ecsbox) can read them.
        const bool local = driver == "json-file" || driver == "syslog" || driver == "journald" || driver == "gelf" ||
                           driver == "fluentd";
        host["LogConfig"] = local ? json{{"Type", driver}, {"Config", log.value("options", json::object())}}
                                  : json{{"Type", "json-file"}, {"Config", json::object()}};
    }
    add_mounts(host, task, def);
    add_linux_parameters(host, def);
    config["HostConfig"] = host;
    return config;
}

}  // namespace ecsbox::scheduler

#include "agent/task_metadata.hpp"

#include <optional>

#include "util/rfc3339.hpp"
#include "scheduler/container_spec.hpp"
#include "scheduler/task_runner.hpp"

namespace ecsbox::agent {

using nlohmann::json;

namespace {

MetadataAnswer not_found(const std::string& what) { return {404, {{"error", what}}}; }

std::optional<std::int64_t> integer(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>();
    if (value.is_string()) {
        try {
            return std::stoll(value.get<std::string>());
        } catch (const std::exception&) {
        }
    }
    return std::nullopt;
}

void set_time(json& out, const char* field, const std::optional<double>& epoch) {
    if (epoch) out[field] = util::format_rfc3339(*epoch);
}

void set_time(json& out, const char* field, const json& task, const char* task_field) {
    if (task.contains(task_field) && task[task_field].is_number()) set_time(out, field, task[task_field].get<double>());
}

// Everything one container's metadata holds: what ECS recorded, plus what only the engine
// knows (labels, addresses, exact times).
class TaskView {
public:
    TaskView(const store::TaskRecord& record, json task, json definition, docker::DockerClient& docker)
        : m_record(record), m_task(std::move(task)), m_definition(std::move(definition)), m_docker(docker) {}

    const json* container(const std::string& name) const {
        for (const auto& c : m_task["containers"])
            if (c.value("name", "") == name) return &c;
        return nullptr;
    }

    json container_metadata(const json& c) const {
        const auto name = c.value("name", "");
        const json def = definition_of(name);
        json out = {{"Name", name},
                    {"DockerName", scheduler::docker_container_name(task_id(), name)},
                    {"Image", c.value("image", def.value("image", ""))},
                    {"DesiredStatus", m_record.desired_status},
                    {"KnownStatus", c.value("lastStatus", "PENDING")},
                    {"Type", "NORMAL"},
                    {"ContainerARN", c.value("containerArn", "")}};
        json limits = {{"CPU", integer(c.value("cpu", json())).value_or(0)}};
        if (const auto memory = integer(c.value("memory", json()))) limits["Memory"] = *memory;
        out["Limits"] = limits;
        const json log = def.value("logConfiguration", json::object());
        out["LogDriver"] = log.value("logDriver", "json-file");
        if (log.contains("options")) out["LogOptions"] = log["options"];
        if (c.contains("exitCode")) out["ExitCode"] = c["exitCode"];
        if (c.contains("healthStatus") && c["healthStatus"] != "UNKNOWN")
            out["Health"] = {{"status", c["healthStatus"]}};
        json ports = json::array();
        for (const auto& b : c.value("networkBindings", json::array()))
            ports.push_back({{"ContainerPort", b.value("containerPort", 0)},
                             {"Protocol", b.value("protocol", "tcp")},
                             {"HostPort", b.value("hostPort", 0)},
                             {"HostIp", b.value("bindIP", "0.0.0.0")}});
        if (!ports.empty()) out["Ports"] = ports;

        const auto runtime_id = c.value("runtimeId", "");
        if (runtime_id.empty()) return out;
        out["DockerId"] = runtime_id;
        if (const auto state = m_docker.inspect_container(runtime_id)) {
            out["ImageID"] = state->image_id;
            out["Labels"] = state->labels;
            set_time(out, "StartedAt", state->started_at);
            set_time(out, "FinishedAt", state->finished_at);
            json networks = json::array();
            networks.push_back({{"NetworkMode", state->network_mode}, {"IPv4Addresses", state->ipv4_addresses}});
            out["Networks"] = networks;
        }
        return out;
    }

    json task_metadata() const {
        json out = {{"Cluster", m_record.cluster_arn},
                    {"TaskARN", m_record.arn},
                    {"Family", m_record.family},
                    {"Revision", std::to_string(m_definition.value("revision", 0))},
                    {"DesiredStatus", m_record.desired_status},
                    {"KnownStatus", m_record.last_status},
                    {"LaunchType", m_record.launch_type},
                    {"AvailabilityZone", m_task.value("availabilityZone", "")}};
        json limits = json::object();
        // Task-level CPU is reported in vCPUs, memory in MiB.
        if (const auto cpu = integer(m_task.value("cpu", json())); cpu && *cpu > 0)
            limits["CPU"] = static_cast<double>(*cpu) / 1024.0;
        if (const auto memory = integer(m_task.value("memory", json())); memory && *memory > 0) limits["Memory"] = *memory;
        if (!limits.empty()) out["Limits"] = limits;
        if (m_record.service_name) out["ServiceName"] = *m_record.service_name;
        set_time(out, "PullStartedAt", m_task, "pullStartedAt");
        set_time(out, "PullStoppedAt", m_task, "pullStoppedAt");
        set_time(out, "ExecutionStoppedAt", m_task, "executionStoppedAt");
        json containers = json::array();
        for (const auto& c : m_task["containers"]) containers.push_back(container_metadata(c));
        out["Containers"] = containers;
        return out;
    }

    json container_stats(const json& c) const {
        const auto runtime_id = c.value("runtimeId", "");
        if (runtime_id.empty()) return nullptr;
        return m_docker.container_stats(runtime_id).value_or(json(nullptr));
    }

    json task_stats() const {
        json out = json::object();
        for (const auto& c : m_task["containers"]) {
            const auto runtime_id = c.value("runtimeId", "");
            if (!runtime_id.empty()) out[runtime_id] = container_stats(c);
        }
        return out;
    }

private:
    std::string task_id() const { return m_record.arn.substr(m_record.arn.rfind('/') + 1); }

    json definition_of(const std::string& name) const {
        for (const auto& c : m_definition.value("containerDefinitions", json::array()))
            if (c.value("name", "") == name) return c;
        return json::object();
    }

    const store::TaskRecord& m_record;
    json m_task;
    json m_definition;
    docker::DockerClient& m_docker;
};

}  // namespace

MetadataAnswer TaskMetadata::get(const std::string& docker_name, const std::string& path) const {
    const auto key = scheduler::parse_docker_container_name(docker_name);
    if (!key) return not_found("no container is known by " + docker_name);
    const auto record = m_store.tasks().find_by_id(key->task_id);
    if (!record) return not_found("no task " + key->task_id);
    const TaskView view(*record, json::parse(record->body),
                        scheduler::load_task_definition(m_store, *record).value_or(json::object()), m_docker);
    const json* container = view.container(key->container_name);
    if (!container) return not_found("task " + key->task_id + " has no container " + key->container_name);

    try {
        if (path.empty() || path == "/") return {200, view.container_metadata(*container)};
        if (path == "/task") return {200, view.task_metadata()};
        if (path == "/stats") return {200, view.container_stats(*container)};
        if (path == "/task/stats") return {200, view.task_stats()};
    } catch (const docker::DockerError& e) {
        // The engine went away: the agent answers what it can't read with a server error.
        return {500, {{"error", std::string("the Docker engine did not answer: ") + e.what()}}};
    }
    return not_found("no metadata path " + path);
}

}  // namespace ecsbox::agent

#include "docker/null_engine.hpp"

#include <thread>
#include <unistd.h>

namespace ecsbox::docker {

EngineInfo NullEngine::info() {
    EngineInfo info;
    info.cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    info.memory_bytes = static_cast<std::int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
    info.server_version = "none";
    info.api_version = "none";
    info.operating_system = "ecsbox --runtime none";
    return info;
}

std::optional<ImageInfo> NullEngine::inspect_image(const std::string& reference) {
    return ImageInfo{"sha256:none-" + reference, {}};
}

std::string NullEngine::create_container(const std::string& name, const nlohmann::json& config) {
    std::lock_guard lock(m_mutex);
    if (m_by_name.count(name))
        throw DockerError(409, "Conflict. The container name \"/" + name + "\" is already in use");
    ContainerState c;
    c.id = "none" + std::to_string(m_next_id++);
    c.name = name;
    c.status = "created";
    c.image = config.value("Image", "");
    c.image_id = "sha256:none-" + c.image;
    c.network_mode = config.value("HostConfig", nlohmann::json::object()).value("NetworkMode", "bridge");
    const auto labels = config.value("Labels", nlohmann::json::object());
    for (const auto& [key, value] : labels.items()) {
        c.labels[key] = value;
        m_by_label[key + "=" + c.labels[key]].insert(c.id);
    }
    m_by_name.emplace(name, c.id);
    m_containers.emplace(c.id, c);
    return c.id;
}

ContainerState& NullEngine::find(const std::string& id) {
    const auto it = m_containers.find(id);
    if (it == m_containers.end()) throw DockerError(404, "No such container: " + id);
    return it->second;
}

void NullEngine::start_container(const std::string& id) {
    std::lock_guard lock(m_mutex);
    auto& c = find(id);
    c.status = "running";
    c.running = true;
    c.started_at = m_clock.now();
    m_changed.notify_all();
}

void NullEngine::stop_container(const std::string& id, int) {
    std::lock_guard lock(m_mutex);
    auto& c = find(id);
    if (!c.running) return;
    c.status = "exited";
    c.running = false;
    c.exit_code = 0;
    c.finished_at = m_clock.now();
    m_changed.notify_all();
}

void NullEngine::remove_container(const std::string& id) {
    std::lock_guard lock(m_mutex);
    const auto it = m_containers.find(id);
    if (it == m_containers.end()) return;
    m_by_name.erase(it->second.name);
    for (const auto& [key, value] : it->second.labels) {
        auto& ids = m_by_label[key + "=" + value];
        ids.erase(id);
        if (ids.empty()) m_by_label.erase(key + "=" + value);
    }
    m_containers.erase(it);
}

std::optional<ContainerState> NullEngine::inspect_container(const std::string& id) {
    std::lock_guard lock(m_mutex);
    const auto it = m_containers.find(id);
    if (it == m_containers.end()) return std::nullopt;
    return it->second;
}

std::optional<nlohmann::json> NullEngine::container_stats(const std::string& id) {
    std::lock_guard lock(m_mutex);
    const auto it = m_containers.find(id);
    if (it == m_containers.end()) return std::nullopt;
    return nlohmann::json{{"id", id},
                          {"name", "/" + it->second.name},
                          {"num_procs", 0},
                          {"cpu_stats", {{"cpu_usage", {{"total_usage", 0}}}, {"online_cpus", 0}}},
                          {"memory_stats", {{"usage", 0}, {"limit", 0}}}};
}

std::vector<ContainerSummary> NullEngine::list_containers(const std::string& label_filter) {
    const auto eq = label_filter.find('=');
    const auto key = label_filter.substr(0, eq);
    std::lock_guard lock(m_mutex);
    std::vector<ContainerSummary> out;
    if (eq != std::string::npos) {
        if (const auto ids = m_by_label.find(label_filter); ids != m_by_label.end())
            for (const auto& id : ids->second) {
                const auto& c = m_containers.at(id);
                out.push_back({c.id, c.name, c.status, c.labels});
            }
        return out;
    }
    for (const auto& [id, c] : m_containers) {
        const auto label = c.labels.find(key);
        if (label == c.labels.end()) continue;
        if (eq != std::string::npos && label->second != label_filter.substr(eq + 1)) continue;
        out.push_back({c.id, c.name, c.status, c.labels});
    }
    return out;
}

void NullEngine::watch_events(const std::string&, const std::atomic<bool>& stop,
                              const std::function<void(const ContainerEvent&)>&) {
    // Nothing changes here that ecsbox did not do itself, so there is nothing to report.
    std::unique_lock lock(m_mutex);
    while (!stop) m_changed.wait_for(lock, std::chrono::milliseconds(100));
}

}  // namespace ecsbox::docker

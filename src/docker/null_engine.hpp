#pragma once
// `--runtime none`: an engine with no containers behind it, for machines without Docker. Every
// image is present, containers run from start until stopped (then exit 0), and nothing else
// happens to them, so tasks follow ECS's lifecycle without a process. Thread-safe.
#include <condition_variable>
#include <map>
#include <set>
#include <mutex>

#include "docker/docker_client.hpp"
#include "util/clock.hpp"

namespace ecsbox::docker {

class NullEngine final : public DockerClient {
public:
    explicit NullEngine(const util::Clock& clock) : m_clock(clock) {}

    bool ping() override { return true; }
    EngineInfo info() override;
    std::optional<ImageInfo> inspect_image(const std::string& reference) override;
    void pull_image(const std::string&, const std::string&) override {}
    std::string create_container(const std::string& name, const nlohmann::json& config) override;
    void start_container(const std::string& id) override;
    void stop_container(const std::string& id, int timeout_seconds) override;
    void remove_container(const std::string& id) override;
    std::optional<ContainerState> inspect_container(const std::string& id) override;
    std::vector<ContainerSummary> list_containers(const std::string& label_filter) override;
    std::string ensure_volume(const std::string& name, const nlohmann::json&) override { return name; }
    void remove_volume(const std::string&) override {}
    std::optional<std::string> network_gateway(const std::string&) override { return std::nullopt; }
    // A stand-in sample: nothing runs, so every counter is zero.
    std::optional<nlohmann::json> container_stats(const std::string& id) override;
    void watch_events(const std::string& label_key, const std::atomic<bool>& stop,
                      const std::function<void(const ContainerEvent&)>& on_event) override;

private:
    ContainerState& find(const std::string& id);

    const util::Clock& m_clock;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::map<std::string, ContainerState> m_containers;
    // Container ids by name and by "label=value", so a lookup costs the same among 10,000.
    std::map<std::string, std::string> m_by_name;
    std::map<std::string, std::set<std::string>> m_by_label;
    std::uint64_t m_next_id = 1;
};

}  // namespace ecsbox::docker

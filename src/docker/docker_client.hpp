#pragma once
// The Docker Engine as ecsbox needs it: images, containers, their state and events. An
// interface so the scheduler can be tested with a fake; the real client (EngineClient) speaks
// the Engine API over the unix socket (or tcp) with libcurl. Knows nothing of ECS or HTTP
// handlers: container configurations go in as the Engine API's own JSON.
// Implementations are thread-safe: the reconciler and the event watcher call concurrently.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace ecsbox::docker {

// A failed Engine call. `status` is the HTTP status the engine answered (404 for a missing
// container or image), or 0 when the engine could not be reached at all.
class DockerError : public std::runtime_error {
public:
    DockerError(int status, const std::string& message) : std::runtime_error(message), m_status(status) {}
    int status() const { return m_status; }
    bool unreachable() const { return m_status == 0; }

private:
    int m_status;
};

struct EngineInfo {
    int cpus = 0;
    std::int64_t memory_bytes = 0;
    std::string server_version;  // e.g. "20.10.24"
    std::string api_version;     // negotiated, e.g. "1.41"
    std::string operating_system;
};

struct ImageInfo {
    std::string id;                         // sha256:...
    std::vector<std::string> repo_digests;  // name@sha256:...
};

struct PortBinding {
    int container_port = 0;
    std::string protocol;  // tcp | udp
    std::string host_ip;
    int host_port = 0;
};

struct ContainerState {
    std::string id;
    std::string name;
    std::string status;  // created | running | paused | restarting | removing | exited | dead
    bool running = false;
    int exit_code = 0;
    bool oom_killed = false;
    std::string error;              // the engine's reason when a start failed
    std::optional<double> started_at;   // epoch seconds; absent when never started
    std::optional<double> finished_at;  // epoch seconds; absent while never stopped
    std::string health;             // "" (no health check) | starting | healthy | unhealthy
    std::string image;              // as configured
    std::string image_id;           // sha256:...
    std::vector<PortBinding> ports;
    std::map<std::string, std::string> labels;
    std::string network_mode;                // bridge | host | none | <network name>
    std::vector<std::string> ipv4_addresses;  // one per attached network
};

struct ContainerSummary {
    std::string id;
    std::string name;
    std::string state;  // as in ContainerState::status
    std::map<std::string, std::string> labels;
};

struct ContainerEvent {
    std::string id;
    std::string action;  // start | die | stop | kill | destroy | oom | health_status: healthy | ...
    std::map<std::string, std::string> labels;
};

class DockerClient {
public:
    virtual ~DockerClient() = default;

    // True when the engine answers. Never throws.
    virtual bool ping() = 0;
    virtual EngineInfo info() = 0;

    // nullopt when the image is not present locally.
    virtual std::optional<ImageInfo> inspect_image(const std::string& reference) = 0;
    // Pulls `reference`; throws DockerError with the engine's message when the pull fails.
    // `registry_auth` is the engine's X-Registry-Auth value (base64url JSON credentials), or "".
    virtual void pull_image(const std::string& reference, const std::string& registry_auth) = 0;

    // `config` is the body of POST /containers/create. Returns the new container's id.
    virtual std::string create_container(const std::string& name, const nlohmann::json& config) = 0;
    virtual void start_container(const std::string& id) = 0;
    // SIGTERM, then SIGKILL after `timeout_seconds`. A container that is not running is fine.
    virtual void stop_container(const std::string& id, int timeout_seconds) = 0;
    // Force-removes the container and its anonymous volumes. A missing container is fine.
    virtual void remove_container(const std::string& id) = 0;
    // nullopt when there is no such container.
    virtual std::optional<ContainerState> inspect_container(const std::string& id) = 0;
    // All containers (running or not) matching a Docker label filter: "key" (carries the label)
    // or "key=value" (carries it with that value).
    virtual std::vector<ContainerSummary> list_containers(const std::string& label_filter) = 0;
    // One sample of the container's resource usage, as the engine's stats JSON (the format the
    // ECS task metadata endpoint serves too); nullopt when there is no such container.
    virtual std::optional<nlohmann::json> container_stats(const std::string& id) = 0;

    // Creates a named volume if absent (driver "local" unless given). Returns its name.
    virtual std::string ensure_volume(const std::string& name, const nlohmann::json& options) = 0;
    // Removes a named volume. A missing volume is fine; one still in use is a DockerError.
    virtual void remove_volume(const std::string& name) = 0;
    // The gateway address of a Docker network (e.g. "172.17.0.1" for "bridge"), if it has one.
    virtual std::optional<std::string> network_gateway(const std::string& network) = 0;

    // Streams container events of containers carrying `label_key` until `stop` becomes true or
    // the connection ends; returns then. Throws DockerError if the stream cannot be opened.
    virtual void watch_events(const std::string& label_key, const std::atomic<bool>& stop,
                              const std::function<void(const ContainerEvent&)>& on_event) = 0;
};

}  // namespace ecsbox::docker

#pragma once
// The real DockerClient: the Docker Engine API over libcurl, on a unix socket or tcp (see
// docker_host.hpp). Owns only the endpoint and the negotiated API version; every call opens its
// own curl handle, so any number of threads may call at once. The API version is asked of the
// engine (GET /version) on first use and capped at 1.43; while the engine is down, the next
// call asks again. It knows nothing of ECS and never retries a failed call itself: the
// reconciler decides what a failure means.
//
// Errors: HTTP >= 400 -> DockerError(status, the engine's "message"); the engine unreachable or
// the transfer broken -> DockerError(0, curl's reason). A pull whose stream reports an error
// (HTTP 200, then {"error": ...}) -> DockerError(500, that error).
#include <memory>
#include <mutex>
#include <string>

#include "docker/docker_client.hpp"
#include "docker/docker_host.hpp"

namespace ecsbox::docker {

class EngineClient final : public DockerClient {
public:
    explicit EngineClient(Endpoint endpoint);
    ~EngineClient() override;
    EngineClient(const EngineClient&) = delete;
    EngineClient& operator=(const EngineClient&) = delete;

    bool ping() override;
    EngineInfo info() override;

    std::optional<ImageInfo> inspect_image(const std::string& reference) override;
    void pull_image(const std::string& reference, const std::string& registry_auth) override;

    std::string create_container(const std::string& name, const nlohmann::json& config) override;
    void start_container(const std::string& id) override;
    void stop_container(const std::string& id, int timeout_seconds) override;
    void remove_container(const std::string& id) override;
    std::optional<ContainerState> inspect_container(const std::string& id) override;
    std::vector<ContainerSummary> list_containers(const std::string& label_key) override;

    // `options` takes the Engine's keys (Driver, DriverOpts, Labels) or ECS's
    // dockerVolumeConfiguration keys (driver, driverOpts, labels).
    std::string ensure_volume(const std::string& name, const nlohmann::json& options) override;
    void remove_volume(const std::string& name) override;
    std::optional<std::string> network_gateway(const std::string& network) override;
    std::optional<nlohmann::json> container_stats(const std::string& id) override;

    void watch_events(const std::string& label_key, const std::atomic<bool>& stop,
                      const std::function<void(const ContainerEvent&)>& on_event) override;

    const Endpoint& endpoint() const { return m_endpoint; }

private:
    struct Request;
    struct Response;

    Response send(const Request& request);
    // DockerError for a transport failure or a status >= 400; else `response` itself.
    Response check(Response response);
    Response call(const Request& request);
    // "/v1.41": negotiates on first use. Throws DockerError when the engine cannot be asked.
    std::string api_prefix();

    Endpoint m_endpoint;
    std::mutex m_version_mutex;
    std::string m_api_version;  // "" until negotiated; guarded by m_version_mutex
};

}  // namespace ecsbox::docker

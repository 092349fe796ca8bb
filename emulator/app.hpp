#pragma once
// The App owns every long-lived object of a running ecsbox — configuration, logger, store,
// service models, dispatcher, HTTP server, background threads — and wires them together. It is
// the only place with mutable state shared across modules.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "agent/task_metadata.hpp"
#include "config.hpp"
#include "docker/docker_client.hpp"
#include "ecr/ecr_context.hpp"
#include "ecs/ecs_context.hpp"
#include "elbv2/elbv2_context.hpp"
#include "lb/balancer.hpp"
#include "http_server.hpp"
#include "protocol/dispatcher.hpp"
#include "registry/auth_token.hpp"
#include "registry/routes.hpp"
#include "registry/blob_store.hpp"
#include "registry/registry.hpp"
#include "scheduler/reconciler.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace ecsbox {

// A start-up failure the user can act on; main prints it as one line.
class StartupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class App {
public:
    // Opens the data directory and binds the port. Throws StartupError.
    App(Config config, util::Logger& log);
    ~App();

    void run();   // serves until stop()
    void stop();  // from any thread

private:
    void janitor_loop();
    std::unique_ptr<HttpServer> make_server();
    // Makes ecsbox reachable from containers (on the Docker bridge's gateway when it listens on
    // loopback only) and records the address containers are given. Repeats until it succeeds.
    void open_container_endpoint();
    std::string container_endpoint() const;
    scheduler::LocalInstances local_instances() const;
    // GET /_ecsbox/health: the version, the runtime and whether the engine answers.
    nlohmann::json health() const;
    // POST /_ecsbox/reset: every task stopped, its containers removed, every resource forgotten.
    nlohmann::json reset();
    scheduler::ImageSource image_source(const std::string& image, const store::Scope& task_scope) const;
    // The context each service's handlers run in (services.hpp).
    ecs::EcsContext& context_of(const protocol::ServiceSpec<ecs::EcsContext>&) { return *m_ecs; }
    ecr::EcrContext& context_of(const protocol::ServiceSpec<ecr::EcrContext>&) { return *m_ecr; }
    elbv2::Elbv2Context& context_of(const protocol::ServiceSpec<elbv2::Elbv2Context>&) { return *m_elbv2; }

    Config m_config;
    util::Logger& m_log;
    util::SystemClock m_clock;
    util::IdGenerator m_ids;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<docker::DockerClient> m_docker;
    std::unique_ptr<lb::Balancer> m_balancer;
    std::unique_ptr<scheduler::Reconciler> m_reconciler;
    std::unique_ptr<ecs::EcsContext> m_ecs;
    std::unique_ptr<registry::AuthTokens> m_auth_tokens;
    std::unique_ptr<registry::BlobStore> m_blobs;  // <data_dir>/registry
    std::unique_ptr<registry::Registry> m_registry;
    std::unique_ptr<registry::RegistryRoutes> m_registry_routes;
    std::unique_ptr<ecr::EcrContext> m_ecr;
    std::unique_ptr<elbv2::Elbv2Context> m_elbv2;
    std::unique_ptr<protocol::Dispatcher> m_dispatcher;
    std::unique_ptr<agent::TaskMetadata> m_metadata;
    std::unique_ptr<HttpServer> m_server;
    // The listener on the Docker bridge's gateway, when one was needed, and its thread.
    std::unique_ptr<HttpServer> m_container_server;
    std::thread m_container_server_thread;
    mutable std::mutex m_endpoint_mutex;
    std::string m_container_endpoint;  // "" while containers cannot reach ecsbox
    bool m_endpoint_settled = false;   // set once the endpoint is decided, reachable or not

    std::mutex m_stop_mutex;
    std::condition_variable m_stop_signal;
    bool m_stopping = false;
    std::thread m_janitor;
};

}  // namespace ecsbox

#pragma once
// The App owns every long-lived object of a running ecsbox — configuration, logger, store,
// service models, dispatcher, HTTP server, background threads — and wires them together. It is
// the only place with mutable state shared across modules.
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "config.hpp"
#include "docker/docker_client.hpp"
#include "ecr/ecr_context.hpp"
#include "ecs/ecs_context.hpp"
#include "http_server.hpp"
#include "protocol/dispatcher.hpp"
#include "registry/auth_token.hpp"
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

    Config m_config;
    util::Logger& m_log;
    util::SystemClock m_clock;
    util::IdGenerator m_ids;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<docker::DockerClient> m_docker;
    std::unique_ptr<scheduler::Reconciler> m_reconciler;
    std::unique_ptr<ecs::EcsContext> m_ecs;
    std::unique_ptr<registry::AuthTokens> m_auth_tokens;
    std::unique_ptr<ecr::EcrContext> m_ecr;
    std::unique_ptr<protocol::Dispatcher> m_dispatcher;
    std::unique_ptr<HttpServer> m_server;

    std::mutex m_stop_mutex;
    std::condition_variable m_stop_signal;
    bool m_stopping = false;
    std::thread m_janitor;
};

}  // namespace ecsbox

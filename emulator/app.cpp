#include "app.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include "docker/engine_client.hpp"
#include "docker/null_engine.hpp"
#include "ecr/lifecycle_policies.hpp"
#include "ecs/services.hpp"
#include "ecs/tasks.hpp"
#include "ecs/task_definitions.hpp"
#include "registry/engine_pull.hpp"
#include "services.hpp"
#include "store/schema.hpp"

namespace ecsbox {

namespace {

constexpr auto k_janitor_period = std::chrono::seconds(1);
// Collection walks every blob file, so it runs rarely.
constexpr auto k_garbage_period = std::chrono::minutes(10);
// A push uploads its layers before its manifest names them: that long, an unreferenced blob is
// still a push in progress, and an upload without a write is still a client's.
constexpr double k_garbage_grace_seconds = 3600;

void prepare_data_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw StartupError("cannot create data directory " + dir + ": " + ec.message());
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        throw StartupError("data directory " + dir + " is not writable: " + std::strerror(errno));
}

}  // namespace

App::App(Config config, util::Logger& log) : m_config(std::move(config)), m_log(log) {
    if (m_config.data_dir.empty()) m_config.data_dir = default_data_dir();
    prepare_data_dir(m_config.data_dir);
    try {
        m_store = std::make_unique<store::Store>(m_config.data_dir);
    } catch (const store::SchemaTooNewError& e) {
        throw StartupError(std::string(e.what()) + " in " + m_config.data_dir);
    } catch (const store::StoreError& e) {
        throw StartupError("cannot open the database in " + m_config.data_dir + ": " + e.what());
    }

    if (m_config.runtime == "none") {
        m_docker = std::make_unique<docker::NullEngine>(m_clock);
    } else {
        const char* docker_host = std::getenv("DOCKER_HOST");
        try {
            m_docker = std::make_unique<docker::EngineClient>(docker::parse_docker_host(docker_host ? docker_host : ""));
        } catch (const std::exception& e) {
            throw StartupError(std::string("DOCKER_HOST: ") + e.what());
        }
    }
    try {
        m_balancer = std::make_unique<lb::Balancer>([this] {
            if (m_reconciler) m_reconciler->balancer_changed();
        });
    } catch (const std::exception& e) {
        throw StartupError(std::string("cannot start the load balancer: ") + e.what());
    }
    // Listeners answer where the API does; a wildcard address is reached on loopback.
    const auto balancer_address = is_wildcard_host(m_config.host) ? std::string("127.0.0.1") : m_config.host;
    m_reconciler = std::make_unique<scheduler::Reconciler>(
        *m_store, *m_docker, m_clock, m_ids, m_log,
        scheduler::ReconcilerOptions{
            .runtime = m_config.runtime,
            .local_instances = local_instances(),
            .unchecked_healthy_after = m_config.healthy_after_running,
            .container_endpoint = [this] { return container_endpoint(); },
            .resolve_image = [this](const std::string& image, const store::Scope& scope) { return image_source(image, scope); },
            .balancer = m_balancer.get(),
            .load_balancing = {.host = m_config.host, .health_check_scale = m_config.health_check_scale}});
    m_metadata = std::make_unique<agent::TaskMetadata>(*m_store, *m_docker);
    m_ecs = std::make_unique<ecs::EcsContext>(ecs::EcsContext{*m_store, m_clock, m_ids, m_config.task_definition_deletion_delay});
    m_ecs->local_instances = local_instances();
    m_ecs->desired_state_changed = [this] { m_reconciler->wake(); };
    m_dispatcher = std::make_unique<protocol::Dispatcher>(
        protocol::DispatcherOptions{m_config.account_id, m_config.region}, m_ids, m_log);
    m_auth_tokens = std::make_unique<registry::AuthTokens>(m_store->registry_secret());
    try {
        m_blobs = std::make_unique<registry::BlobStore>(std::filesystem::path(m_config.data_dir) / "registry");
    } catch (const std::exception& e) {
        throw StartupError("cannot open the registry's blob store in " + m_config.data_dir + ": " + e.what());
    }
    m_registry = std::make_unique<registry::Registry>(*m_store, *m_blobs, m_clock);
    m_ecr = std::make_unique<ecr::EcrContext>(
        ecr::EcrContext{*m_store, m_clock, m_ids, *m_auth_tokens, *m_registry, registry_host(m_config)});
    m_elbv2 = std::make_unique<elbv2::Elbv2Context>(elbv2::Elbv2Context{*m_store, m_clock, m_ids, balancer_address});
    m_elbv2->desired_state_changed = [this] { m_reconciler->wake(); };
    for_each_service([this](const auto& spec) { m_dispatcher->add(spec, context_of(spec)); });

    m_registry_routes = std::make_unique<registry::RegistryRoutes>(
        *m_registry, *m_auth_tokens, m_clock,
        registry::RegistryAccess{m_config.registry_anonymous, m_config.account_id, m_config.region});
    m_server = make_server();
    if (!m_server->bind(m_config.host, m_config.port))
        throw StartupError("cannot listen on " + m_config.host + ":" + std::to_string(m_config.port) + ": " +
                           (errno ? std::strerror(errno) : "address unavailable"));
    open_container_endpoint();
}

namespace {

protocol::HttpResponse json_response(int status, const nlohmann::json& body) {
    protocol::HttpResponse response;
    response.status = status;
    response.headers.emplace("Content-Type", "application/json");
    response.body = body.dump();
    return response;
}

}  // namespace

std::unique_ptr<HttpServer> App::make_server() {
    auto server = std::make_unique<HttpServer>(*m_dispatcher, m_log, k_max_request_body);
    server->serve_registry(*m_registry_routes);
    server->get(R"(/v4/([^/]+)(/.*)?)", [this](const protocol::HttpRequest&, const std::vector<std::string>& captures) {
        const auto answer = m_metadata->get(captures.at(0), captures.at(1));
        return json_response(answer.status, answer.body);
    });
    server->get("/_ecsbox/health", [this](const protocol::HttpRequest&, const std::vector<std::string>&) {
        return json_response(200, health());
    });
    server->post("/_ecsbox/reset", [this](const protocol::HttpRequest&, const std::vector<std::string>&) {
        return json_response(200, reset());
    });
    return server;
}

nlohmann::json App::health() const {
    const auto engine = m_store->container_instances().engine("local");
    return {{"status", "ok"},
            {"version", ECSBOX_VERSION},
            {"runtime", m_config.runtime},
            {"engineConnected", engine && engine->connected},
            {"accountId", m_config.account_id},
            {"region", m_config.region}};
}

nlohmann::json App::reset() {
    const auto started = m_clock.now();
    const auto left = m_reconciler->reset();
    m_log.info("reset to an empty state");
    return {{"status", "reset"},
            {"containers", left ? "left for the reconciler: " + *left : std::string("removed")},
            {"seconds", m_clock.now() - started}};
}

scheduler::LocalInstances App::local_instances() const {
    return {m_config.simulated_instances, {m_config.simulated_instance_cpu, m_config.simulated_instance_memory}};
}

scheduler::ImageSource App::image_source(const std::string& image, const store::Scope& task_scope) const {
    if (auto pull = registry::engine_pull(image, registry_host(m_config), task_scope, *m_auth_tokens, m_clock.now()))
        return {std::move(pull->reference), std::move(pull->registry_auth)};
    return {image, ""};
}

std::string App::container_endpoint() const {
    std::lock_guard lock(m_endpoint_mutex);
    return m_container_endpoint;
}

void App::open_container_endpoint() {
    {
        std::lock_guard lock(m_endpoint_mutex);
        if (m_endpoint_settled) return;
    }
    if (m_config.runtime == "none") return;
    const auto port = std::to_string(m_config.port);
    const bool loopback = is_loopback_host(m_config.host);
    const bool wildcard = is_wildcard_host(m_config.host);
    std::string endpoint;
    std::unique_ptr<HttpServer> server;
    if (!loopback && !wildcard) {
        endpoint = "http://" + m_config.host + ":" + port;  // an address containers can route to as it is
    } else {
        std::optional<std::string> gateway;
        try {
            gateway = m_docker->network_gateway("bridge");
        } catch (const docker::DockerError&) {
            return;  // the engine is away; the janitor asks again
        }
        if (!gateway) return;
        const auto host = gateway->find(':') == std::string::npos ? *gateway : "[" + *gateway + "]";
        endpoint = "http://" + host + ":" + port;
        if (loopback) {
            server = make_server();
            if (server->bind(*gateway, m_config.port)) {
                m_log.info("containers reach ecsbox at " + endpoint);
            } else {
                m_log.warn("containers cannot reach ecsbox: cannot listen on " + host + ":" + port + ": " +
                           std::strerror(errno) + "; they get no task metadata endpoint or AWS_ENDPOINT_URL");
                server.reset();
                endpoint.clear();
            }
        }
    }
    std::lock_guard lock(m_endpoint_mutex);
    if (server) {
        m_container_server = std::move(server);
        m_container_server_thread = std::thread([this] { m_container_server->serve(); });
    }
    m_container_endpoint = endpoint;
    m_endpoint_settled = true;
}

App::~App() {
    stop();
    if (m_janitor.joinable()) m_janitor.join();
    // The janitor may have opened the listener after stop() looked for it.
    if (m_container_server) m_container_server->stop();
    if (m_container_server_thread.joinable()) m_container_server_thread.join();
    m_reconciler->stop();
    // Its loop thread tells the reconciler of health changes: it goes while the reconciler is there.
    m_balancer.reset();
}

void App::run() {
    m_reconciler->start();
    m_janitor = std::thread([this] { janitor_loop(); });
    m_log.info("ecsbox " ECSBOX_VERSION " listening on http://" + m_config.host + ":" + std::to_string(m_config.port) +
               " (data dir " + m_config.data_dir + ", runtime " + m_config.runtime + ", account " +
               m_config.account_id + ", default region " + m_config.region + ")");
    m_server->serve();
}

void App::stop() {
    {
        std::lock_guard lock(m_stop_mutex);
        m_stopping = true;
    }
    m_stop_signal.notify_all();
    m_server->stop();
    std::lock_guard lock(m_endpoint_mutex);
    if (m_container_server) m_container_server->stop();
}

// Time-driven housekeeping that no request triggers: deleted task definitions and long-stopped
// tasks disappear, ECR lifecycle policies expire images, and blobs nothing references go.
void App::janitor_loop() {
    using Clock = std::chrono::steady_clock;
    auto next_lifecycle = Clock::now();
    auto next_garbage = Clock::now() + k_garbage_period;
    std::unique_lock lock(m_stop_mutex);
    while (!m_stop_signal.wait_for(lock, k_janitor_period, [this] { return m_stopping; })) {
        lock.unlock();
        try {
            open_container_endpoint();
            if (const auto purged = ecs::purge_deleted_task_definitions(*m_ecs); purged > 0)
                m_log.debug("purged " + std::to_string(purged) + " deleted task definition revision(s)");
            if (const auto purged = ecs::purge_stopped_tasks(*m_ecs); purged > 0)
                m_log.debug("purged " + std::to_string(purged) + " long-stopped task(s)");
            if (const auto purged = ecs::purge_inactive_services(*m_ecs); purged > 0)
                m_log.debug("purged " + std::to_string(purged) + " long-inactive service(s)");
            if (Clock::now() >= next_lifecycle) {
                next_lifecycle = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                    std::chrono::duration<double>(m_config.lifecycle_policy_interval));
                if (const auto expired = ecr::apply_lifecycle_policies(*m_ecr); expired > 0)
                    m_log.info("lifecycle policies expired " + std::to_string(expired) + " image(s)");
            }
            if (Clock::now() >= next_garbage) {
                next_garbage = Clock::now() + k_garbage_period;
                if (const auto collected = m_registry->collect_garbage(k_garbage_grace_seconds); collected > 0)
                    m_log.info("registry garbage collection deleted " + std::to_string(collected) + " blob(s)");
            }
        } catch (const std::exception& e) {
            m_log.error(std::string("housekeeping failed: ") + e.what());
        }
        lock.lock();
    }
}

}  // namespace ecsbox

#pragma once
// One HTTP listener: adapts cpp-httplib to the transport-neutral protocol types and hands
// AWS JSON requests (POST /) to the dispatcher. Owns the listening socket; stop() may be called
// from any thread.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocol/dispatcher.hpp"
#include "registry/routes.hpp"
#include "util/log.hpp"

namespace httplib {
class Server;
}

namespace ecsbox {

class HttpServer {
public:
    HttpServer(const protocol::Dispatcher& dispatcher, util::Logger& log, std::size_t max_body);
    ~HttpServer();

    // A plain route: GET requests whose path matches `pattern` (an ECMAScript regex over the
    // whole path) go to `handler` with the regex's capture groups. Add routes before serve().
    using RouteHandler =
        std::function<protocol::HttpResponse(const protocol::HttpRequest&, const std::vector<std::string>& captures)>;
    void get(const std::string& pattern, RouteHandler handler);
    // The same for POST requests (their body is in the request).
    void post(const std::string& pattern, RouteHandler handler);

    // Serves the Docker Registry API under /v2/ with `routes`, streaming bodies both ways.
    void serve_registry(const registry::RegistryRoutes& routes);

    // Binds host:port; returns false (with errno set by the OS) when the address is taken.
    bool bind(const std::string& host, int port);
    void serve();  // blocks until stop(); returns at once if stop() came first
    void stop();

private:
    const protocol::Dispatcher& m_dispatcher;
    util::Logger& m_log;
    std::unique_ptr<httplib::Server> m_server;
    std::atomic<bool> m_stop_requested{false};
    std::atomic<bool> m_in_serve{false};
};

}  // namespace ecsbox

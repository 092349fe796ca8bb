#pragma once
// The one HTTP listener: adapts cpp-httplib to the transport-neutral protocol types and hands
// AWS JSON requests (POST /) to the dispatcher. Owns the listening socket; stop() may be called
// from any thread.
#include <atomic>
#include <memory>
#include <string>

#include "protocol/dispatcher.hpp"
#include "util/log.hpp"

namespace httplib {
class Server;
}

namespace ecsbox {

class HttpServer {
public:
    HttpServer(const protocol::Dispatcher& dispatcher, util::Logger& log, std::size_t max_body);
    ~HttpServer();

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

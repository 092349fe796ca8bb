#pragma once
// An HTTP server on a free loopback port, served from its own thread from start() until it is
// destroyed: the backends and health-check targets of the balancer's tests.
#include <chrono>
#include <httplib.h>
#include <thread>

namespace ecsbox::testing {

class HttpTestServer {
public:
    HttpTestServer() = default;
    HttpTestServer(const HttpTestServer&) = delete;
    HttpTestServer& operator=(const HttpTestServer&) = delete;
    ~HttpTestServer() {
        if (!m_thread.joinable()) return;
        m_server.stop();
        m_thread.join();
    }

    // Routes go here before start().
    httplib::Server& routes() { return m_server; }

    void start() {
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        // A stop() before the server runs would be lost, and the join would wait forever.
        while (!m_server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    int port() const { return m_port; }

private:
    httplib::Server m_server;
    int m_port = 0;
    std::thread m_thread;
};

}  // namespace ecsbox::testing

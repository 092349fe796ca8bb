#pragma once
// The balancer's TCP listeners (network load balancers): each accepted connection goes to the
// backend its listener picks, and bytes pass both ways as they are, a half-close passed on,
// until both directions are done. Reading pauses while the other side cannot keep up. No
// backend, or one that refuses, closes the client's connection. Loop-thread only.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "lb/event_loop.hpp"
#include "lb/http_proxy.hpp"

namespace ecsbox::lb {

class TcpProxy {
public:
    // The backend for a new connection and a tag handed back to Done, or nullopt to close it.
    using Pick = std::function<std::optional<std::pair<Backend, std::uint64_t>>()>;
    using Done = std::function<void(const Backend& backend, std::uint64_t tag)>;  // a connection to it ended

    explicit TcpProxy(EventLoop& loop);
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    // The port, or 0 with errno set. A connection quiet both ways for `idle_timeout` is closed
    // (350 s, as a network load balancer's TCP idle timeout).
    int listen(const std::string& host, int port, Pick pick, Done done = {},
               std::chrono::milliseconds idle_timeout = std::chrono::seconds(350));
    void close_listener(int port);
    void close_connections_to(const Backend& backend);
    std::size_t open_connections() const { return m_connections.size(); }

private:
    struct Listener;
    struct Connection;
    void accept(Listener& listener, Fd client);
    void drop(std::uint64_t id);
    void sweep_idle();

    EventLoop& m_loop;
    std::map<int, std::unique_ptr<Listener>> m_listeners;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> m_connections;
    std::uint64_t m_next = 1;
    EventLoop::Handle m_sweep = 0;
    bool m_destroying = false;
};

}  // namespace ecsbox::lb

#include "lb/tcp_proxy.hpp"

#include "lb/acceptor.hpp"
#include "lb/buffered_socket.hpp"
#include "lb/net.hpp"

namespace ecsbox::lb {

namespace {

constexpr std::size_t k_high_water = 1 << 20;
constexpr auto k_sweep_period = std::chrono::milliseconds(100);

}  // namespace

struct TcpProxy::Listener {
    std::unique_ptr<Acceptor> acceptor;
    int port = 0;
    Pick pick;
    Done done;
    std::chrono::milliseconds idle_timeout{350000};
};

struct TcpProxy::Connection {
    TcpProxy& proxy;
    std::uint64_t id;
    Listener& listener;
    Backend backend;
    std::uint64_t tag = 0;
    BufferedSocket client, server;
    bool connected = false, closed = false;
    bool client_shut = false, server_shut = false;  // the half-close passed on
    EventLoop::Clock::time_point last_active = EventLoop::Clock::now();

    Connection(TcpProxy& p, std::uint64_t i, Listener& l, Backend b, std::uint64_t t, Fd client_fd, Fd server_fd)
        : proxy(p), id(i), listener(l), backend(std::move(b)), tag(t) {
        client.fd = std::move(client_fd);
        server.fd = std::move(server_fd);
        client.events = EPOLLIN | EPOLLRDHUP;
        server.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
        client.handle = proxy.m_loop.watch(client.fd.get(), client.events, [this](std::uint32_t e) { on_client(e); });
        server.handle = proxy.m_loop.watch(server.fd.get(), server.events, [this](std::uint32_t e) { on_server(e); });
    }
    ~Connection() { close(); }

    void close() {
        if (closed) return;
        closed = true;
        proxy.m_loop.unwatch(client.handle);
        proxy.m_loop.unwatch(server.handle);
        client.fd.reset();
        server.fd.reset();
        if (proxy.m_destroying) return;  // nobody is told: everything is going away
        if (listener.done) listener.done(backend, tag);
        proxy.drop(id);
    }

    void on_client(std::uint32_t events) {
        last_active = EventLoop::Clock::now();
        if (events & EPOLLERR) return close();
        if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
            if (!client.fill()) return close();
            server.queue(client.unread_view());
            client.take(client.unread());
        }
        if (!client.flush()) return close();
        pump();
    }

    void on_server(std::uint32_t events) {
        last_active = EventLoop::Clock::now();
        if (!connected) {
            if (connect_error(server.fd.get()) != 0) return close();
            connected = true;
        }
        if (events & EPOLLERR) return close();
        if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
            if (!server.fill()) return close();
            client.queue(server.unread_view());
            server.take(server.unread());
        }
        pump();
    }

    void pump() {
        if (closed) return;
        if (connected && !server.flush()) return close();
        if (!client.flush()) return close();
        // A side that has said all it will, and whose bytes are all passed on, is closed for
        // writing on the other side.
        if (client.eof && !server_shut && server.pending() == 0 && connected) {
            ::shutdown(server.fd.get(), SHUT_WR);
            server_shut = true;
        }
        if (server.eof && !client_shut && client.pending() == 0) {
            ::shutdown(client.fd.get(), SHUT_WR);
            client_shut = true;
        }
        if (client_shut && server_shut) return close();
        client.update(proxy.m_loop, server.pending() < k_high_water);
        server.update(proxy.m_loop, client.pending() < k_high_water, !connected);
    }
};

TcpProxy::TcpProxy(EventLoop& loop) : m_loop(loop) {}

TcpProxy::~TcpProxy() {
    m_loop.cancel(m_sweep);
    m_destroying = true;
    m_connections.clear();
}

int TcpProxy::listen(const std::string& host, int port, Pick pick, Done done, std::chrono::milliseconds idle_timeout) {
    auto listener = std::make_unique<Listener>();
    auto* raw = listener.get();
    listener->acceptor = Acceptor::open(m_loop, host, port, [this, raw](Fd client, std::string) { accept(*raw, std::move(client)); });
    if (!listener->acceptor) return 0;
    listener->port = listener->acceptor->port();
    listener->pick = std::move(pick);
    listener->done = std::move(done);
    listener->idle_timeout = idle_timeout;
    if (!m_sweep) m_sweep = m_loop.after(k_sweep_period, [this] { sweep_idle(); });
    const auto bound = listener->port;
    m_listeners[bound] = std::move(listener);
    return bound;
}

void TcpProxy::close_listener(int port) {
    const auto it = m_listeners.find(port);
    if (it == m_listeners.end()) return;
    it->second->acceptor.reset();
    for (auto& [id, connection] : m_connections)
        if (&connection->listener == it->second.get()) connection->close();
    m_loop.post([listener = std::shared_ptr<Listener>(std::move(it->second))] {});
    m_listeners.erase(it);
}

void TcpProxy::close_connections_to(const Backend& backend) {
    for (auto& [id, connection] : m_connections)
        if (connection->backend == backend) connection->close();
}

void TcpProxy::accept(Listener& listener, Fd client) {
    const auto picked = listener.pick();
    if (!picked) return;  // closed at once: nothing serves
    const auto& [backend, tag] = *picked;
    auto server = connect_tcp(backend.host, backend.port);
    if (!server) {
        if (listener.done) listener.done(backend, tag);
        return;
    }
    const auto id = m_next++;
    m_connections.emplace(id, std::make_unique<Connection>(*this, id, listener, backend, tag, std::move(client),
                                                           std::move(server)));
}

void TcpProxy::drop(std::uint64_t id) {
    // Not now: the connection may be in the middle of its own callback.
    m_loop.post([this, id] { m_connections.erase(id); });
}

void TcpProxy::sweep_idle() {
    const auto now = EventLoop::Clock::now();
    for (auto& [id, connection] : m_connections)
        if (!connection->closed && now - connection->last_active >= connection->listener.idle_timeout) connection->close();
    m_sweep = m_loop.after(k_sweep_period, [this] { sweep_idle(); });
}

}  // namespace ecsbox::lb

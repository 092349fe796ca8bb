#include "lb/http_proxy.hpp"

#include <cerrno>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lb/acceptor.hpp"
#include "lb/buffered_socket.hpp"
#include "lb/net.hpp"

namespace ecsbox::lb {

namespace {

// Above this many bytes waiting to be written to one side, the other side is not read.
constexpr std::size_t k_high_water = 1 << 20;
constexpr std::size_t k_idle_per_backend = 64;
constexpr auto k_idle_upstream_timeout = std::chrono::seconds(30);
// How often connections are looked at for the idle timeout: a bounded share of its length.
constexpr auto k_sweep_period = std::chrono::milliseconds(100);

bool is_hop_by_hop(const std::string& name) {
    for (const char* hop : {"Connection", "Keep-Alive", "Proxy-Connection", "X-Forwarded-Proto", "X-Forwarded-Port"})
        if (::strcasecmp(name.c_str(), hop) == 0) return true;
    return false;
}

// The request head as the backend gets it: hop-by-hop headers dropped (but the upgrade's
// Connection), X-Forwarded-For extended, X-Forwarded-Proto and -Port set.
std::string backend_head(const HttpHead& head, bool upgrade, const std::string& peer, int listener_port) {
    std::string out = head.method + " " + head.target + " HTTP/" + std::to_string(head.version_major) + "." +
                      std::to_string(head.version_minor) + "\r\n";
    bool forwarded_for = false;
    for (const auto& [name, value] : head.headers) {
        if (::strcasecmp(name.c_str(), "X-Forwarded-For") == 0) {
            out += name + ": " + value + ", " + peer + "\r\n";
            forwarded_for = true;
        } else if (!is_hop_by_hop(name) || (upgrade && ::strcasecmp(name.c_str(), "Connection") == 0)) {
            out += name + ": " + value + "\r\n";
        }
    }
    if (!forwarded_for) out += "X-Forwarded-For: " + peer + "\r\n";
    out += "X-Forwarded-Proto: http\r\nX-Forwarded-Port: " + std::to_string(listener_port) + "\r\n\r\n";
    return out;
}

// What the balancer answers itself, in the form ELB answers it.
std::string local_response(int status, const std::string& reason, bool keep_alive) {
    const auto title = std::to_string(status) + " " + reason;
    const auto body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
                      "</h1></center>\r\n</body>\r\n</html>\r\n";
    return "HTTP/1.1 " + title + "\r\nServer: awselb/2.0\r\nContent-Type: text/html\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + body;
}

// A backend's response head as the client gets it: HTTP/1.1, with the backend's Connection and
// Keep-Alive headers (and their continuation lines) replaced by what the balancer does with
// the client's connection. The head has been parsed already; this only drops and adds lines.
std::string client_head(std::string_view raw, bool keep_alive) {
    std::string out;
    bool first = true, skipping = false;
    while (!raw.empty()) {
        const auto end = raw.find('\n');
        auto line = raw.substr(0, end);
        raw.remove_prefix(end == std::string_view::npos ? raw.size() : end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;
        if (first) {
            first = false;
            out.append(line.substr(0, 5) == "HTTP/" && line.size() > 8 ? "HTTP/1.1" + std::string(line.substr(8))
                                                                       : std::string(line));
            out.append("\r\n");
            continue;
        }
        if (line.front() == ' ' || line.front() == '\t') {
            if (!skipping) out.append(line).append("\r\n");
            continue;
        }
        const auto name = std::string(line.substr(0, line.find(':')));
        skipping = ::strcasecmp(name.c_str(), "Connection") == 0 || ::strcasecmp(name.c_str(), "Keep-Alive") == 0;
        if (!skipping) out.append(line).append("\r\n");
    }
    out.append(keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
    return out;
}

}  // namespace

struct HttpProxy::Listener {
    std::unique_ptr<Acceptor> acceptor;
    int port = 0;
    Pick pick;
    Done done;
    std::chrono::milliseconds idle_timeout{60000};
};

struct HttpProxy::Upstream {
    EventLoop& loop;
    Backend backend;
    BufferedSocket socket;
    bool connected = false;
    std::optional<HttpStream> response;
    std::function<void(std::uint32_t)> on_event;  // its owner's: a client, or the idle pool
    EventLoop::Handle idle_timer = 0;

    Upstream(EventLoop& l, Backend b, Fd fd) : loop(l), backend(std::move(b)) {
        socket.fd = std::move(fd);
        socket.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
        socket.handle = loop.watch(socket.fd.get(), socket.events, [this](std::uint32_t events) { on_event(events); });
    }
    ~Upstream() { close(); }
    void close() {
        if (!socket.fd) return;
        loop.cancel(idle_timer);
        idle_timer = 0;
        loop.unwatch(socket.handle);
        socket.fd.reset();
    }
};

struct HttpProxy::Client {
    enum class State {
        head,      // reading a request head
        body,      // passing a request body to its backend
        answered,  // the balancer answered itself; the request's body is read and dropped
        awaiting,  // the request is sent; its response is coming
        tunnel,    // upgraded: bytes pass both ways as they are
        closing,   // writing what is left, then closing
    };

    HttpProxy& proxy;
    std::uint64_t id;
    Listener& listener;
    std::string peer;
    BufferedSocket socket;
    HttpStream request{HttpStream::Kind::request};
    State state = State::head;
    std::unique_ptr<Upstream> upstream;
    bool head_request = false;
    bool upgrade = false;
    bool request_done = false;
    int connect_retries = 0;  // of this request, to other targets after a refused connection
    bool response_started = false;  // bytes of the response reached the client
    std::string response_head;      // the backend's response head, until it has all come
    bool keep_alive = true;
    bool closed = false;
    EventLoop::Clock::time_point last_active = EventLoop::Clock::now();
    std::optional<Route> routed;  // the request's backend until its exchange ends

    Client(HttpProxy& p, std::uint64_t i, Listener& l, std::string address, Fd fd)
        : proxy(p), id(i), listener(l), peer(std::move(address)) {
        socket.fd = std::move(fd);
        socket.events = EPOLLIN | EPOLLRDHUP;
        socket.handle = proxy.m_loop.watch(socket.fd.get(), socket.events, [this](std::uint32_t e) { on_event(e); });
    }
    ~Client() { proxy.m_loop.unwatch(socket.handle); }

    // The routed request is over, whichever way it ended.
    void release() {
        if (!routed) return;
        if (listener.done) listener.done(*routed->backend, routed->tag);
        routed.reset();
    }

    void close() {
        if (closed) return;
        closed = true;
        release();
        proxy.m_loop.unwatch(socket.handle);
        proxy.retire(std::move(upstream));
        proxy.drop_client(id);
    }

    void on_event(std::uint32_t events) {
        last_active = EventLoop::Clock::now();
        if (events & EPOLLERR) return close();
        if ((events & EPOLLHUP) && socket.eof) return close();  // gone both ways: nothing can reach it
        if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
            if (!socket.fill()) return close();
            if (socket.eof && socket.unread() == 0 && (state == State::head || state == State::tunnel)) {
                // Nothing more will come: a tunnel's backend is told, an idle connection ends.
                if (state == State::tunnel && upstream) ::shutdown(upstream->socket.fd.get(), SHUT_WR);
                if (state == State::head) return close();
            }
            process();
            if (closed) return;
        }
        if (!socket.flush()) return close();
        after_write();
    }

    void after_write() {
        if (closed) return;
        if (state == State::closing && socket.pending() == 0) return close();
        update();
    }

    void update() {
        const bool room = !upstream || upstream->socket.pending() < k_high_water;
        socket.update(proxy.m_loop, room && socket.unread() < k_high_water && state != State::closing);
        if (upstream) upstream->socket.update(proxy.m_loop, socket.pending() < k_high_water, !upstream->connected);
    }

    void answer(int status, const std::string& reason) {
        socket.queue(local_response(status, reason, keep_alive));
    }

    void process() {
        while (!closed) {
            if (state == State::tunnel) {
                if (upstream) upstream->socket.queue(socket.unread_view());
                socket.take(socket.unread());
                return;
            }
            if (state == State::awaiting || state == State::closing) return;
            if (socket.unread() == 0 && !request.complete_pending() && !(socket.eof && state != State::head)) return;
            const auto step = socket.unread() == 0 && !request.complete_pending() ? request.finish()
                                                                                  : request.feed(socket.unread_view());
            if (state == State::body && upstream) upstream->socket.queue(socket.unread_view().substr(0, step.consumed));
            socket.take(step.consumed);
            switch (step.event) {
                case HttpStream::Event::error:
                    if (state == State::head) {
                        keep_alive = false;
                        answer(400, "Bad Request");
                        state = State::closing;
                        return;
                    }
                    return close();
                case HttpStream::Event::more:
                    if (socket.eof) return close();  // the request was cut short
                    return;
                case HttpStream::Event::head:
                    begin_exchange();
                    break;
                case HttpStream::Event::complete:
                    request_done = true;
                    keep_alive = keep_alive && request.keep_alive() && !upgrade;
                    if (state == State::answered) {
                        end_exchange(false);
                        break;
                    }
                    state = State::awaiting;  // the next pipelined request waits for this response
                    return;
            }
        }
    }

    void begin_exchange() {
        const auto& head = request.head();
        head_request = head.method == "HEAD";
        upgrade = request.upgrade();
        request_done = false;
        response_started = false;
        response_head.clear();
        keep_alive = request.keep_alive();  // what the balancer answers itself says so too
        auto route = listener.pick(head, peer);
        if (!route.backend) {
            if (route.answer.empty())
                answer(503, "Service Temporarily Unavailable");
            else
                socket.queue(route.answer);
            state = State::answered;
            return;
        }
        connect_retries = 0;
        if (!send_to(std::move(route), backend_head(head, upgrade, peer, listener.port))) {
            answer(502, "Bad Gateway");
            state = State::answered;
            return;
        }
        state = State::body;
    }

    // Opens (or takes from the pool) a connection to the route's backend with `bytes` to send.
    bool send_to(Route route, std::string_view bytes) {
        const auto backend = *route.backend;
        routed = std::move(route);
        upstream = proxy.upstream_to(backend);
        if (!upstream) return false;
        upstream->on_event = [this](std::uint32_t events) { on_upstream_event(events); };
        upstream->response.emplace(HttpStream::Kind::response);
        if (head_request) upstream->response->expect_no_body();
        upstream->socket.queue(bytes);
        return true;
    }

    // The backend refused the connection: a task that has just died, before its health checks
    // or its deregistration say so. Nothing of the request reached it, so another target
    // gets it, twice at most, before it is a 502.
    void connect_failed() {
        constexpr int k_connect_retries = 2;
        if (connect_retries >= k_connect_retries) return upstream_failed();
        ++connect_retries;
        const std::string unsent(upstream->socket.out.substr(upstream->socket.out_at));
        proxy.retire(std::move(upstream));
        release();
        auto route = listener.pick(request.head(), peer);
        if (!route.backend || !send_to(std::move(route), unsent)) return upstream_failed();
        update();
    }

    // The exchange is over: the backend connection goes back to the pool when it can carry
    // another request, and the client's next request is read, or the client closed.
    void end_exchange(bool upstream_reusable) {
        // The backend is let go before the exchange is reported over: that report can end the
        // backend's drain, which closes whatever still talks to it, and this client has a
        // response to finish writing.
        if (upstream) {
            if (upstream_reusable && request_done) {
                proxy.keep_idle(std::move(upstream));
            } else {
                proxy.retire(std::move(upstream));
            }
        }
        release();
        if (!keep_alive || !request_done || socket.eof) {
            state = State::closing;
            if (socket.pending() == 0) close();
            return;
        }
        state = State::head;
    }

    // Nothing went either way for the listener's idle timeout.
    void idle_expired() {
        if (!response_started && (state == State::awaiting || state == State::body)) {
            proxy.retire(std::move(upstream));
            keep_alive = false;
            answer(504, "Gateway Time-out");
            state = State::closing;
            if (!socket.flush()) return close();
            return after_write();
        }
        close();
    }

    void on_upstream_event(std::uint32_t events) {
        last_active = EventLoop::Clock::now();
        auto& up = *upstream;
        if (!up.connected) {
            if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
            if (connect_error(up.socket.fd.get()) != 0) return connect_failed();
            up.connected = true;
        }
        if (events & EPOLLERR) return upstream_failed();
        if (!up.socket.flush()) return upstream_failed();
        if (events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) {
            if (!up.socket.fill()) return upstream_failed();
            on_response_bytes();
            if (closed) return;
        }
        if (!socket.flush()) return close();
        process();  // bytes held back while the backend could not take them
        after_write();
    }

    void on_response_bytes() {
        auto& up = *upstream;
        if (state == State::tunnel) {
            socket.queue(up.socket.unread_view());
            up.socket.take(up.socket.unread());
            if (up.socket.eof) {
                state = State::closing;
                keep_alive = false;
            }
            return;
        }
        while (upstream && !closed) {
            if (up.socket.unread() == 0 && !up.response->complete_pending() && !up.socket.eof) return;
            const auto step = up.socket.unread() == 0 && !up.response->complete_pending()
                                  ? up.response->finish()
                                  : up.response->feed(up.socket.unread_view());
            const auto bytes = up.socket.unread_view().substr(0, step.consumed);
            // The head is held until it has all come, so its connection headers can be the
            // balancer's: the client's connection lives on whatever the backend's does.
            if (response_started) {
                socket.queue(bytes);
            } else {
                response_head.append(bytes);
            }
            up.socket.take(step.consumed);
            switch (step.event) {
                case HttpStream::Event::error:
                    return upstream_failed();
                case HttpStream::Event::more:
                    if (up.socket.eof) return upstream_failed();
                    return;
                case HttpStream::Event::head: {
                    const auto status = up.response->head().status;
                    if (status < 200) {  // 100 Continue, 101 Switching Protocols: as they are
                        socket.queue(response_head);
                    } else {
                        keep_alive = keep_alive && !up.response->body_until_close();
                        socket.queue(client_head(response_head, keep_alive));
                        response_started = true;
                    }
                    response_head.clear();
                    break;
                }
                case HttpStream::Event::complete: {
                    const auto status = up.response->head().status;
                    if (status == 101 && upgrade) {
                        state = State::tunnel;
                        socket.queue(up.socket.unread_view());
                        up.socket.take(up.socket.unread());
                        process();
                        return;
                    }
                    if (status >= 100 && status < 200) {  // 100 Continue and the like: the answer follows
                        up.response.emplace(HttpStream::Kind::response);
                        if (head_request) up.response->expect_no_body();
                        break;
                    }
                    const bool reusable = up.response->keep_alive() && !up.socket.eof && up.socket.unread() == 0;
                    end_exchange(reusable);
                    return;
                }
            }
        }
    }

    // The backend failed or closed before its response ended.
    void upstream_failed() {
        proxy.retire(std::move(upstream));
        release();  // after: as in end_exchange, the client still has its answer to write
        if (response_started) return close();  // a response cut short cannot be mended
        keep_alive = keep_alive && request_done;
        answer(502, "Bad Gateway");
        if (state == State::body) {
            state = State::answered;  // the rest of the request is read and dropped
        } else {
            request_done = true;
            end_exchange(false);
        }
        if (!closed) {
            if (!socket.flush()) return close();
            process();
            after_write();
        }
    }
};

HttpProxy::HttpProxy(EventLoop& loop) : m_loop(loop) {}

HttpProxy::~HttpProxy() {
    m_loop.cancel(m_sweep);
    m_clients.clear();
    m_idle.clear();
}

int HttpProxy::listen(const std::string& host, int port, Pick pick, Done done, std::chrono::milliseconds idle_timeout) {
    auto listener = std::make_unique<Listener>();
    auto* raw = listener.get();
    listener->acceptor = Acceptor::open(m_loop, host, port, [this, raw](Fd connection, std::string peer) {
        const auto id = m_next_client++;
        m_clients.emplace(id, std::make_unique<Client>(*this, id, *raw, std::move(peer), std::move(connection)));
    });
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

void HttpProxy::close_listener(int port) {
    const auto it = m_listeners.find(port);
    if (it == m_listeners.end()) return;
    it->second->acceptor.reset();
    // Connections it accepted keep their reference to it until they end.
    for (auto& [id, client] : m_clients)
        if (&client->listener == it->second.get()) client->close();
    m_loop.post([listener = std::shared_ptr<Listener>(std::move(it->second))] {});
    m_listeners.erase(it);
}

void HttpProxy::sweep_idle() {
    const auto now = EventLoop::Clock::now();
    for (auto& [id, client] : m_clients)
        if (!client->closed && now - client->last_active >= client->listener.idle_timeout) client->idle_expired();
    m_sweep = m_loop.after(k_sweep_period, [this] { sweep_idle(); });
}

void HttpProxy::close_connections_to(const Backend& backend) {
    for (auto& [id, client] : m_clients)
        if (!client->closed && client->upstream && client->upstream->backend == backend) client->close();
    const auto idle = m_idle.find({backend.host, backend.port});
    if (idle == m_idle.end()) return;
    for (auto& upstream : idle->second) retire(std::move(upstream));
    m_idle.erase(idle);
}

void HttpProxy::drop_client(std::uint64_t id) {
    // Not now: the client may be in the middle of its own callback.
    m_loop.post([this, id] { m_clients.erase(id); });
}

std::unique_ptr<HttpProxy::Upstream> HttpProxy::upstream_to(const Backend& backend) {
    auto& idle = m_idle[{backend.host, backend.port}];
    if (!idle.empty()) {
        auto upstream = std::move(idle.back());
        idle.pop_back();
        m_loop.cancel(upstream->idle_timer);
        upstream->idle_timer = 0;
        return upstream;
    }
    auto fd = connect_tcp(backend.host, backend.port);
    if (!fd) return nullptr;
    return std::make_unique<Upstream>(m_loop, backend, std::move(fd));
}

void HttpProxy::keep_idle(std::unique_ptr<Upstream> upstream) {
    auto& idle = m_idle[{upstream->backend.host, upstream->backend.port}];
    if (idle.size() >= k_idle_per_backend) return;
    auto* raw = upstream.get();
    // An idle connection that becomes readable was closed by its backend (or misbehaves).
    raw->on_event = [this, raw](std::uint32_t) { drop_idle(raw); };
    raw->socket.update(m_loop, true);
    raw->idle_timer = m_loop.after(k_idle_upstream_timeout, [this, raw] {
        raw->idle_timer = 0;
        drop_idle(raw);
    });
    idle.push_back(std::move(upstream));
}

void HttpProxy::drop_idle(Upstream* upstream) {
    auto& idle = m_idle[{upstream->backend.host, upstream->backend.port}];
    for (auto it = idle.begin(); it != idle.end(); ++it)
        if (it->get() == upstream) {
            retire(std::move(*it));
            idle.erase(it);
            return;
        }
}

void HttpProxy::retire(std::unique_ptr<Upstream> upstream) {
    if (!upstream) return;
    upstream->close();
    m_loop.post([doomed = std::shared_ptr<Upstream>(std::move(upstream))] {});
}

std::size_t HttpProxy::idle_backend_connections() const {
    std::size_t n = 0;
    for (const auto& [_, idle] : m_idle) n += idle.size();
    return n;
}

}  // namespace ecsbox::lb

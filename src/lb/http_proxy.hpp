#pragma once
// The balancer's HTTP listeners: each accepted connection is read request by request (keep-alive
// and pipelining), each request goes to the backend its listener picks for it, over a pooled
// keep-alive connection, with X-Forwarded-For/-Proto/-Port added; bodies and responses pass
// through byte for byte (chunked, 100-continue, WebSocket upgrades as a tunnel). No backend is
// a 503 at once; a backend that fails before answering is a 502. Reading pauses while the other
// side cannot keep up, so a slow peer never grows memory without bound. Runs on one EventLoop;
// every call is on the loop's thread (or before it runs).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lb/event_loop.hpp"
#include "lb/http_stream.hpp"

namespace ecsbox::lb {

struct Backend {
    std::string host;  // numeric address
    int port = 0;
    bool operator==(const Backend&) const = default;
};

class HttpProxy {
public:
    // Where a request goes: a backend, or an answer the balancer writes itself (a whole
    // response: fixed-response and redirect actions); neither is a 503.
    struct Route {
        std::optional<Backend> backend;
        std::string answer;
        std::uint64_t tag = 0;  // handed back to Done with the backend
    };
    using Pick = std::function<Route(const HttpHead& request, const std::string& peer)>;
    // Told once for every routed request when it ends, however it ends.
    using Done = std::function<void(const Backend& backend, std::uint64_t tag)>;

    explicit HttpProxy(EventLoop& loop);
    ~HttpProxy();
    HttpProxy(const HttpProxy&) = delete;
    HttpProxy& operator=(const HttpProxy&) = delete;

    // Listens on host:port (0 for a free port); the port, or 0 with errno set. A connection
    // with nothing sent either way for `idle_timeout` is closed, as ELB's idle timeout does
    // (a request whose backend has not begun to answer gets 504 first).
    int listen(const std::string& host, int port, Pick pick, Done done = {},
               std::chrono::milliseconds idle_timeout = std::chrono::seconds(60));
    void close_listener(int port);
    // Ends every connection with a request in flight to `backend`, and forgets its idle ones:
    // the end of a deregistration delay.
    void close_connections_to(const Backend& backend);

    std::size_t open_connections() const { return m_clients.size(); }
    std::size_t idle_backend_connections() const;

    struct Client;
    struct Upstream;

private:
    struct Listener;
    friend struct Client;
    void drop_client(std::uint64_t id);
    void sweep_idle();
    // An idle pooled connection to `backend`, or a new one.
    std::unique_ptr<Upstream> upstream_to(const Backend& backend);
    void keep_idle(std::unique_ptr<Upstream> upstream);
    // Closes it now and frees it after this batch of events: its own callback may be running.
    void retire(std::unique_ptr<Upstream> upstream);
    void drop_idle(Upstream* upstream);

    EventLoop& m_loop;
    std::map<int, std::unique_ptr<Listener>> m_listeners;  // by port
    std::unordered_map<std::uint64_t, std::unique_ptr<Client>> m_clients;
    std::uint64_t m_next_client = 1;
    EventLoop::Handle m_sweep = 0;
    std::map<std::pair<std::string, int>, std::vector<std::unique_ptr<Upstream>>> m_idle;
};

}  // namespace ecsbox::lb

#include "lb/http_proxy.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <mutex>
#include <set>
#include <thread>

#include "support/http_test_server.hpp"
#include "support/loop_thread.hpp"
#include "support/loopback.hpp"

using ecsbox::lb::Backend;
using ecsbox::lb::EventLoop;
using ecsbox::lb::HttpHead;
using ecsbox::lb::HttpProxy;

namespace {

// A backend on a free port that answers with its name and records what it saw.
class TestBackend {
public:
    explicit TestBackend(std::string name) : m_name(std::move(name)) {
        auto& routes = m_server.routes();
        routes.Get("/", [this](const httplib::Request& request, httplib::Response& response) {
            record(request);
            response.set_content(m_name, "text/plain");
        });
        routes.Post("/echo-length", [this](const httplib::Request& request, httplib::Response& response) {
            record(request);
            response.set_content(std::to_string(request.body.size()), "text/plain");
        });
        routes.Get("/slow", [this](const httplib::Request& request, httplib::Response& response) {
            record(request);
            std::this_thread::sleep_for(std::chrono::milliseconds(800));
            response.set_content("late", "text/plain");
        });
        routes.Get("/chunked", [this](const httplib::Request& request, httplib::Response& response) {
            record(request);
            response.set_chunked_content_provider("text/plain", [](std::size_t, httplib::DataSink& sink) {
                const std::string piece(1000, 'x');
                for (int i = 0; i < 100; ++i) sink.write(piece.data(), piece.size());
                sink.done();
                return true;
            });
        });
        routes.set_keep_alive_max_count(1000);
        m_server.start();
    }

    Backend backend() const { return {"127.0.0.1", m_server.port()}; }
    int port() const { return m_server.port(); }
    std::size_t connections() {
        std::lock_guard lock(m_mutex);
        return m_remote_ports.size();
    }
    httplib::Headers last_headers() {
        std::lock_guard lock(m_mutex);
        return m_last_headers;
    }

private:
    void record(const httplib::Request& request) {
        std::lock_guard lock(m_mutex);
        m_remote_ports.insert(request.remote_port);
        m_last_headers = request.headers;
    }

    std::string m_name;
    std::mutex m_mutex;
    std::set<int> m_remote_ports;
    httplib::Headers m_last_headers;
    ecsbox::testing::HttpTestServer m_server;  // after what its routes touch: it stops first
};

// A proxy on its own loop thread, picking backends in turn.
class RunningProxy {
public:
    explicit RunningProxy(std::vector<Backend> backends, std::chrono::milliseconds idle_timeout = std::chrono::seconds(60))
        : m_backends(std::move(backends)) {
        m_port = m_proxy.listen(
            "127.0.0.1", 0,
            [this](const HttpHead&, const std::string&) -> HttpProxy::Route {
                if (m_backends.empty()) return {};
                ++m_outstanding;
                return {m_backends[m_next++ % m_backends.size()], "", 0};
            },
            [this](const Backend&, std::uint64_t) { --m_outstanding; }, idle_timeout);
        REQUIRE(m_port > 0);
        m_thread.start();
    }
    ~RunningProxy() { m_thread.stop(); }
    int port() const { return m_port; }
    // Runs `work` on the loop's thread.
    void on_loop(std::function<void(HttpProxy&)> work) {
        m_thread.loop().post([this, work = std::move(work)] { work(m_proxy); });
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", m_port);
        c.set_keep_alive(true);
        return c;
    }

    int outstanding() const { return m_outstanding; }  // routed requests not yet reported done

private:
    ecsbox::testing::LoopThread m_thread;
    HttpProxy m_proxy{m_thread.loop()};
    std::vector<Backend> m_backends;
    std::size_t m_next = 0;
    int m_port = 0;
    std::atomic<int> m_outstanding{0};
};

// Sends raw bytes on a new connection and reads until `responses` HTTP responses arrived (by
// counting status lines) or the peer closed.
std::string exchange_raw(int port, const std::string& bytes, std::size_t responses) {
    const int fd = ecsbox::testing::connect_loopback(port);
    REQUIRE(::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    std::string received;
    char buffer[4096];
    auto count = [&] {
        std::size_t n = 0;
        for (auto at = received.find("HTTP/1.1 "); at != std::string::npos; at = received.find("HTTP/1.1 ", at + 1)) ++n;
        return n;
    };
    while (count() < responses) {
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        received.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return received;
}

}  // namespace

TEST_CASE("requests go to the backends in turn, on new and on kept-alive connections", "[lb][proxy]") {
    TestBackend a("a"), b("b"), c("c");
    RunningProxy proxy({a.backend(), b.backend(), c.backend()});
    std::map<std::string, int> answers;
    auto kept = proxy.client();
    for (int i = 0; i < 30; ++i) {
        const auto response = kept.Get("/");
        REQUIRE(response);
        CHECK(response->status == 200);
        ++answers[response->body];
    }
    CHECK(answers == std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}});
    answers.clear();
    for (int i = 0; i < 30; ++i) {
        httplib::Client fresh("127.0.0.1", proxy.port());
        const auto response = fresh.Get("/");
        REQUIRE(response);
        ++answers[response->body];
    }
    CHECK(answers == std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}});
    // Backend connections are pooled: far fewer than the 60 requests each backend's share made.
    CHECK(a.connections() <= 2);
    CHECK(proxy.outstanding() == 0);  // every routed request was reported done
}

TEST_CASE("the backend sees X-Forwarded-For, -Proto and -Port", "[lb][proxy]") {
    TestBackend a("a");
    RunningProxy proxy({a.backend()});
    auto client = proxy.client();
    REQUIRE(client.Get("/", {{"X-Forwarded-For", "203.0.113.7"}}));
    const auto headers = a.last_headers();
    CHECK(headers.find("X-Forwarded-For")->second == "203.0.113.7, 127.0.0.1");
    CHECK(headers.find("X-Forwarded-Proto")->second == "http");
    CHECK(headers.find("X-Forwarded-Port")->second == std::to_string(proxy.port()));
}

TEST_CASE("no backend is a 503 at once; a backend that refuses is a 502", "[lb][proxy]") {
    SECTION("no backend") {
        RunningProxy proxy({});
        auto client = proxy.client();
        const auto response = client.Get("/");
        REQUIRE(response);
        CHECK(response->status == 503);
        CHECK(response->body.find("503 Service Temporarily Unavailable") != std::string::npos);
        REQUIRE(client.Get("/"));  // the connection stays usable
    }
    SECTION("no backend, for a request that asks to close") {
        RunningProxy proxy({});
        const auto answer = exchange_raw(proxy.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1);
        CHECK(answer.rfind("HTTP/1.1 503 ", 0) == 0);
        CHECK(answer.find("Connection: close\r\n") != std::string::npos);
    }
    SECTION("a refusing backend") {
        int closed_port = 0;
        {
            TestBackend gone("gone");
            closed_port = gone.port();
        }
        RunningProxy proxy({{"127.0.0.1", closed_port}});
        auto client = proxy.client();
        const auto response = client.Get("/");
        REQUIRE(response);
        CHECK(response->status == 502);
        CHECK(proxy.outstanding() == 0);  // a failed request is done too
    }
}

TEST_CASE("large request bodies and chunked responses pass through whole", "[lb][proxy]") {
    TestBackend a("a");
    RunningProxy proxy({a.backend()});
    auto client = proxy.client();
    const std::string big(5 * 1024 * 1024, 'z');
    const auto posted = client.Post("/echo-length", big, "application/octet-stream");
    REQUIRE(posted);
    CHECK(posted->body == std::to_string(big.size()));
    const auto chunked = client.Get("/chunked");
    REQUIRE(chunked);
    CHECK(chunked->body.size() == 100000);
}

TEST_CASE("pipelined requests are answered in order; HEAD has no body; 100-continue passes", "[lb][proxy]") {
    TestBackend a("a"), b("b");
    RunningProxy proxy({a.backend(), b.backend()});
    const auto pipelined = exchange_raw(proxy.port(),
                                        "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
                                        "HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                        4);
    const auto first = pipelined.find("\r\n\r\na");
    const auto second = pipelined.find("\r\n\r\nb");
    REQUIRE(first != std::string::npos);
    REQUIRE(second != std::string::npos);
    CHECK(first < second);
    std::size_t statuses = 0;
    for (auto at = pipelined.find("HTTP/1.1 200"); at != std::string::npos; at = pipelined.find("HTTP/1.1 200", at + 1))
        ++statuses;
    CHECK(statuses == 4);

    const auto continued = exchange_raw(proxy.port(),
                                        "POST /echo-length HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                                        "Expect: 100-continue\r\nConnection: close\r\n\r\nabcd",
                                        2);
    CHECK(continued.find("HTTP/1.1 100 Continue") != std::string::npos);
    CHECK(continued.find("\r\n\r\n4") != std::string::npos);
}

TEST_CASE("a request that is not HTTP is a 400 and the connection closes", "[lb][proxy]") {
    TestBackend a("a");
    RunningProxy proxy({a.backend()});
    const auto answer = exchange_raw(proxy.port(), "HELLO THERE\r\n\r\n", 1);
    CHECK(answer.rfind("HTTP/1.1 400 Bad Request", 0) == 0);
}

TEST_CASE("an upgraded connection becomes a tunnel both ways", "[lb][proxy]") {
    // A backend that switches protocols and then echoes what it gets.
    int backend_port = 0;
    const int listener = ecsbox::testing::listening_socket(backend_port);
    std::thread echo([listener] {
        const int fd = ::accept(listener, nullptr, nullptr);
        std::string got;
        char buffer[1024];
        while (got.find("\r\n\r\n") == std::string::npos) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            got.append(buffer, static_cast<std::size_t>(n));
        }
        const std::string switched = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        ::send(fd, switched.data(), switched.size(), 0);
        while (true) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            ::send(fd, buffer, static_cast<std::size_t>(n), 0);
        }
        ::close(fd);
    });
    {
        RunningProxy proxy({{"127.0.0.1", backend_port}});
        const auto answer = exchange_raw(proxy.port(),
                                         "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                                         "ping-1 HTTP/1.1 ",  // the echo carries a status-line look-alike back
                                         2);
        CHECK(answer.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0) == 0);
        CHECK(answer.find("\r\n\r\nping-1 HTTP/1.1 ") != std::string::npos);
    }
    echo.join();
    ::close(listener);
}

TEST_CASE("a connection idle for the listener's timeout is closed; a backend that says nothing is a 504",
          "[lb][proxy]") {
    TestBackend a("a");
    RunningProxy proxy({a.backend()}, std::chrono::milliseconds(200));
    const auto started = std::chrono::steady_clock::now();
    const auto idle = exchange_raw(proxy.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2);  // waits for the close
    CHECK(idle.rfind("HTTP/1.1 200 ", 0) == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));

    const auto slow = exchange_raw(proxy.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 1);
    CHECK(slow.rfind("HTTP/1.1 504 Gateway Time-out", 0) == 0);
}

TEST_CASE("closing the connections to a backend ends its requests in flight", "[lb][proxy]") {
    TestBackend a("a");
    RunningProxy proxy({a.backend()});
    std::thread closer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        proxy.on_loop([backend = a.backend()](HttpProxy& p) { p.close_connections_to(backend); });
    });
    const auto started = std::chrono::steady_clock::now();
    const auto cut = exchange_raw(proxy.port(), "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n", 1);
    closer.join();
    CHECK(cut.empty());
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(700));
}

namespace {

// A backend that answers each connection's request with `response` and closes, as one-shot
// servers (busybox nc, HTTP/1.0 apps) do.
class ClosingBackend {
public:
    explicit ClosingBackend(std::string response) : m_response(std::move(response)) {
        m_listener = ecsbox::testing::listening_socket(m_port);
        m_thread = std::thread([this] {
            while (true) {
                const int fd = ::accept(m_listener, nullptr, nullptr);
                if (fd < 0 || m_stopping) {
                    if (fd >= 0) ::close(fd);
                    return;
                }
                char buffer[4096];
                std::string request;
                while (request.find("\r\n\r\n") == std::string::npos) {
                    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
                    if (n <= 0) break;
                    request.append(buffer, static_cast<std::size_t>(n));
                }
                ::send(fd, m_response.data(), m_response.size(), MSG_NOSIGNAL);
                ::close(fd);
            }
        });
    }
    ~ClosingBackend() {
        m_stopping = true;
        ::close(ecsbox::testing::connect_loopback(m_port));  // wakes the accept
        m_thread.join();
        ::close(m_listener);
    }
    Backend backend() const { return {"127.0.0.1", m_port}; }

private:
    std::string m_response;
    int m_port = 0;
    int m_listener = -1;
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

}  // namespace

TEST_CASE("a backend that closes after each answer does not close the client's connection", "[lb][proxy]") {
    ClosingBackend backend("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\nX-App: 1\r\n\r\nok");
    RunningProxy proxy({backend.backend()});
    const auto answers =
        exchange_raw(proxy.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", 2);
    CHECK(answers == "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-App: 1\r\nConnection: keep-alive\r\n\r\nok"
                     "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-App: 1\r\nConnection: keep-alive\r\n\r\nok");
}

TEST_CASE("a response whose body ends with the backend's connection ends the client's too", "[lb][proxy]") {
    ClosingBackend backend("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
    RunningProxy proxy({backend.backend()});
    const auto answer = exchange_raw(proxy.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2);  // reads to the close
    CHECK(answer == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nuntil the end");
}

TEST_CASE("a request whose backend refuses the connection goes to the next one", "[lb][proxy]") {
    int dead_port = 0;
    ::close(ecsbox::testing::listening_socket(dead_port));  // nothing listens there now
    TestBackend a("a");
    RunningProxy proxy({{"127.0.0.1", dead_port}, a.backend()});
    auto client = proxy.client();
    for (int i = 0; i < 4; ++i) {
        const auto answer = client.Get("/");
        REQUIRE(answer);
        CHECK(answer->status == 200);
        CHECK(answer->body == "a");
    }
    RunningProxy only_dead({{"127.0.0.1", dead_port}});
    CHECK(only_dead.client().Get("/")->status == 502);  // nowhere else to go
}

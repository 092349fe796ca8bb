#include "lb/tcp_proxy.hpp"

#include <catch2/catch.hpp>
#include <sys/socket.h>
#include <thread>

#include "support/loop_thread.hpp"
#include "support/loopback.hpp"

using ecsbox::lb::Backend;
using ecsbox::lb::TcpProxy;
using ecsbox::testing::connect_loopback;
using ecsbox::testing::listening_socket;
using ecsbox::testing::read_to_end;

namespace {

// A backend that greets each connection with its name and closes once the client has closed
// its side.
class GreetingBackend {
public:
    GreetingBackend(std::string name, int connections) : m_name(std::move(name)) {
        m_listener = listening_socket(m_port);
        m_thread = std::thread([this, connections] {
            for (int i = 0; i < connections; ++i) {
                const int fd = ::accept(m_listener, nullptr, nullptr);
                if (fd < 0) return;
                const auto greeting = m_name + ":";
                ::send(fd, greeting.data(), greeting.size(), 0);
                read_to_end(fd);  // until the client has closed its side
                ::close(fd);
            }
        });
    }
    ~GreetingBackend() {
        ::shutdown(m_listener, SHUT_RDWR);
        m_thread.join();
        ::close(m_listener);
    }
    Backend backend() const { return {"127.0.0.1", m_port}; }

private:
    std::string m_name;
    int m_listener = -1, m_port = 0;
    std::thread m_thread;
};

class RunningTcpProxy {
public:
    explicit RunningTcpProxy(std::vector<Backend> backends) : m_backends(std::move(backends)) {
        m_port = m_proxy.listen("127.0.0.1", 0, [this]() -> std::optional<std::pair<Backend, std::uint64_t>> {
            if (m_backends.empty()) return std::nullopt;
            return std::pair{m_backends[m_next++ % m_backends.size()], std::uint64_t{0}};
        });
        REQUIRE(m_port > 0);
        m_thread.start();
    }
    ~RunningTcpProxy() { m_thread.stop(); }
    int port() const { return m_port; }

private:
    ecsbox::testing::LoopThread m_thread;
    TcpProxy m_proxy{m_thread.loop()};
    std::vector<Backend> m_backends;
    std::size_t m_next = 0;
    int m_port = 0;
};

}  // namespace

TEST_CASE("TCP connections go to the backends in turn, a connection each", "[lb][tcp]") {
    GreetingBackend a("a", 2), b("b", 2);
    RunningTcpProxy proxy({a.backend(), b.backend()});
    std::vector<std::string> greetings;
    for (int i = 0; i < 4; ++i) {
        const int fd = connect_loopback(proxy.port());
        ::shutdown(fd, SHUT_WR);
        greetings.push_back(read_to_end(fd));
        ::close(fd);
    }
    CHECK(greetings == std::vector<std::string>{"a:", "b:", "a:", "b:"});
}

TEST_CASE("bytes pass both ways and a half-close is passed on", "[lb][tcp]") {
    // A backend that echoes until the client's end closes, then closes.
    int port = 0;
    const int listener = listening_socket(port);
    std::thread echo([listener] {
        const int fd = ::accept(listener, nullptr, nullptr);
        char buffer[65536];
        while (true) {
            const auto n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            ::send(fd, buffer, static_cast<std::size_t>(n), 0);
        }
        ::close(fd);
    });
    {
        RunningTcpProxy proxy({{"127.0.0.1", port}});
        const int fd = connect_loopback(proxy.port());
        const std::string big(3 * 1024 * 1024, 'q');
        std::thread writer([&] {
            std::size_t sent = 0;
            while (sent < big.size()) {
                const auto n = ::send(fd, big.data() + sent, big.size() - sent, 0);
                if (n <= 0) break;
                sent += static_cast<std::size_t>(n);
            }
            ::shutdown(fd, SHUT_WR);
        });
        const auto echoed = read_to_end(fd);
        writer.join();
        CHECK(echoed.size() == big.size());
        ::close(fd);
    }
    echo.join();
    ::close(listener);
}

TEST_CASE("with no backend a TCP connection is closed at once", "[lb][tcp]") {
    RunningTcpProxy proxy({});
    const int fd = connect_loopback(proxy.port());
    CHECK(read_to_end(fd).empty());
    ::close(fd);
}

#pragma once
// A listening socket on the loop: each connection it accepts (non-blocking, with its peer's
// address) goes to `on_accept`. Shared by the HTTP and TCP proxies. Loop-thread only.
#include <functional>
#include <memory>
#include <string>

#include "lb/event_loop.hpp"
#include "lb/fd.hpp"

namespace ecsbox::lb {

class Acceptor {
public:
    using OnAccept = std::function<void(Fd connection, std::string peer)>;

    // Listening on host:port (0 for a free port); null with errno set when it cannot.
    static std::unique_ptr<Acceptor> open(EventLoop& loop, const std::string& host, int port, OnAccept on_accept);
    // Over a socket already listening.
    Acceptor(EventLoop& loop, Fd listening, OnAccept on_accept);
    ~Acceptor();
    Acceptor(const Acceptor&) = delete;
    Acceptor& operator=(const Acceptor&) = delete;

    int port() const { return m_port; }

private:
    void accept_waiting();

    EventLoop& m_loop;
    Fd m_fd;
    int m_port = 0;
    OnAccept m_on_accept;
    EventLoop::Handle m_handle = 0;
};

}  // namespace ecsbox::lb

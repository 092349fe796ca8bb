#include "lb/acceptor.hpp"

#include <sys/epoll.h>

#include "lb/net.hpp"

namespace ecsbox::lb {

namespace {
// Connections taken per wake-up, so one busy listener cannot starve the loop's other work.
constexpr int k_accepts_per_event = 64;
}  // namespace

std::unique_ptr<Acceptor> Acceptor::open(EventLoop& loop, const std::string& host, int port, OnAccept on_accept) {
    auto fd = listen_tcp(host, port);
    if (!fd) return nullptr;
    return std::make_unique<Acceptor>(loop, std::move(fd), std::move(on_accept));
}

Acceptor::Acceptor(EventLoop& loop, Fd listening, OnAccept on_accept)
    : m_loop(loop), m_fd(std::move(listening)), m_port(local_port(m_fd.get())), m_on_accept(std::move(on_accept)) {
    m_handle = m_loop.watch(m_fd.get(), EPOLLIN, [this](std::uint32_t) { accept_waiting(); });
}

Acceptor::~Acceptor() { m_loop.unwatch(m_handle); }

void Acceptor::accept_waiting() {
    for (int i = 0; i < k_accepts_per_event; ++i) {
        std::string peer;
        auto connection = accept_tcp(m_fd.get(), peer);
        if (!connection) return;
        m_on_accept(std::move(connection), std::move(peer));
    }
}

}  // namespace ecsbox::lb

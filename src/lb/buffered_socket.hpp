#pragma once
// A non-blocking socket on an EventLoop with what is still to be written to it and what was
// read from it and not yet taken: one side of a proxied connection.
#include <cerrno>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "lb/event_loop.hpp"
#include "lb/fd.hpp"

namespace ecsbox::lb {

struct BufferedSocket {
    Fd fd;
    EventLoop::Handle handle = 0;
    std::uint32_t events = 0;
    std::string out;
    std::size_t out_at = 0;
    std::string in;
    std::size_t in_at = 0;
    bool eof = false;  // the peer will send nothing more

    std::size_t pending() const { return out.size() - out_at; }
    std::size_t unread() const { return in.size() - in_at; }
    std::string_view unread_view() const { return std::string_view(in).substr(in_at); }

    void queue(std::string_view data) {
        if (out_at == out.size()) {
            out.clear();
            out_at = 0;
        }
        out.append(data);
    }
    void take(std::size_t n) {
        in_at += n;
        if (in_at == in.size()) {
            in.clear();
            in_at = 0;
        }
    }
    // false when the socket failed.
    bool flush() {
        while (out_at < out.size()) {
            const auto n = ::send(fd.get(), out.data() + out_at, out.size() - out_at, MSG_NOSIGNAL);
            if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
            out_at += static_cast<std::size_t>(n);
        }
        out.clear();
        out_at = 0;
        return true;
    }
    // false when the socket failed; sets eof when the peer closed.
    bool fill() {
        if (in_at > 0 && in_at == in.size()) {
            in.clear();
            in_at = 0;
        }
        char buffer[64 * 1024];
        const auto n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n == 0) eof = true;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        if (n > 0) in.append(buffer, static_cast<std::size_t>(n));
        return true;
    }
    void update(EventLoop& loop, bool reading, bool connecting = false) {
        // Once the peer's end is known closed, asking for it again would wake the loop forever.
        std::uint32_t wanted = eof ? 0u : static_cast<std::uint32_t>(EPOLLRDHUP);
        if (reading && !eof) wanted |= EPOLLIN;
        if (connecting || pending() > 0) wanted |= EPOLLOUT;
        if (wanted != events) {
            loop.change(handle, wanted);
            events = wanted;
        }
    }
};

}  // namespace ecsbox::lb

#include "lb/health_probe.hpp"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "lb/net.hpp"

namespace ecsbox::lb {

bool status_matches(const std::string& matcher, int status) {
    std::size_t from = 0;
    while (from <= matcher.size()) {
        const auto comma = matcher.find(',', from);
        const auto part = matcher.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
        const auto dash = part.find('-');
        try {
            if (dash == std::string::npos) {
                if (!part.empty() && std::stoi(part) == status) return true;
            } else if (std::stoi(part.substr(0, dash)) <= status && status <= std::stoi(part.substr(dash + 1))) {
                return true;
            }
        } catch (const std::logic_error&) {
            // not a number: matches nothing (the API validates matchers)
        }
        if (comma == std::string::npos) break;
        from = comma + 1;
    }
    return false;
}

HealthProbe::HealthProbe(EventLoop& loop, Check check, std::function<void(const ProbeResult&)> done)
    : m_loop(loop), m_check(std::move(check)), m_done(std::move(done)) {
    m_fd = connect_tcp(m_check.host, m_check.port);
    if (!m_fd) {
        // Reported from the loop, never from inside the constructor.
        m_timer = m_loop.after(std::chrono::milliseconds(0), [this] {
            m_timer = 0;
            finish({false, "Target.FailedHealthChecks", "Health checks failed"});
        });
        return;
    }
    m_watch = m_loop.watch(m_fd.get(), EPOLLOUT, [this](std::uint32_t events) { on_event(events); });
    m_timer = m_loop.after(m_check.timeout, [this] {
        m_timer = 0;
        finish({false, "Target.Timeout", "Request timed out"});
    });
    if (!m_check.tcp)
        m_out = "GET " + m_check.path + " HTTP/1.1\r\nHost: " + m_check.host + ":" + std::to_string(m_check.port) +
                "\r\nUser-Agent: ELB-HealthChecker/2.0\r\nAccept: */*\r\nConnection: close\r\n\r\n";
}

HealthProbe::~HealthProbe() {
    m_loop.cancel(m_timer);
    m_loop.unwatch(m_watch);
}

void HealthProbe::finish(ProbeResult result) {
    if (m_finished) return;
    m_finished = true;
    m_loop.cancel(m_timer);
    m_timer = 0;
    m_loop.unwatch(m_watch);
    m_watch = 0;
    m_fd.reset();
    m_done(result);  // may destroy this probe: nothing after it
}

void HealthProbe::on_event(std::uint32_t events) {
    if (!m_connected) {
        if (connect_error(m_fd.get()) != 0) return finish({false, "Target.FailedHealthChecks", "Health checks failed"});
        m_connected = true;
        if (m_check.tcp) return finish({true, "", ""});
        m_loop.change(m_watch, EPOLLOUT | EPOLLIN);
    }
    if (events & EPOLLERR) return finish({false, "Target.FailedHealthChecks", "Health checks failed"});
    while (m_out_at < m_out.size()) {
        const auto n = ::send(m_fd.get(), m_out.data() + m_out_at, m_out.size() - m_out_at, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return finish({false, "Target.FailedHealthChecks", "Health checks failed"});
        }
        m_out_at += static_cast<std::size_t>(n);
    }
    if (m_out_at == m_out.size()) m_loop.change(m_watch, EPOLLIN);
    if (!(events & (EPOLLIN | EPOLLHUP))) return;
    char buffer[4096];
    const auto n = ::recv(m_fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return finish({false, "Target.FailedHealthChecks", "Health checks failed"});
    const auto step = m_response.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    if (step.event == HttpStream::Event::error) return finish({false, "Target.FailedHealthChecks", "Health checks failed"});
    if (step.event != HttpStream::Event::head) return;  // the status line is still coming
    const auto status = m_response.head().status;
    if (status_matches(m_check.matcher, status)) return finish({true, "", ""});
    finish({false, "Target.ResponseCodeMismatch", "Health checks failed with these codes: [" + std::to_string(status) + "]"});
}

}  // namespace ecsbox::lb

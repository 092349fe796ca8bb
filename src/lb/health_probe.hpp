#pragma once
// One health check of one target, as ELB makes it: a TCP connect, or an HTTP GET of the check's
// path whose status must match the matcher ("200", "200,202", "200-299"), within the timeout.
// Runs on the loop; tells its result once, then may be destroyed.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "lb/event_loop.hpp"
#include "lb/http_stream.hpp"

namespace ecsbox::lb {

struct ProbeResult {
    bool healthy = false;
    std::string reason;       // ELB's reason code when not healthy: Target.Timeout, ...
    std::string description;  // and its words
};

// True when `status` is one the matcher names.
bool status_matches(const std::string& matcher, int status);

class HealthProbe {
public:
    struct Check {
        std::string host;
        int port = 0;
        bool tcp = false;  // connect only
        std::string path = "/";
        std::string matcher = "200";
        std::chrono::milliseconds timeout{5000};
    };

    HealthProbe(EventLoop& loop, Check check, std::function<void(const ProbeResult&)> done);
    ~HealthProbe();
    HealthProbe(const HealthProbe&) = delete;
    HealthProbe& operator=(const HealthProbe&) = delete;

private:
    void on_event(std::uint32_t events);
    void finish(ProbeResult result);

    EventLoop& m_loop;
    Check m_check;
    std::function<void(const ProbeResult&)> m_done;
    Fd m_fd;
    EventLoop::Handle m_watch = 0, m_timer = 0;
    bool m_connected = false, m_finished = false;
    std::string m_out;
    std::size_t m_out_at = 0;
    HttpStream m_response{HttpStream::Kind::response};
};

}  // namespace ecsbox::lb

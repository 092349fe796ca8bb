#pragma once
// A target group as the balancer routes to it: its registered targets, each health-checked on
// its own schedule (ELB's initial, healthy, unhealthy and draining states, with its reason
// codes), and the choice of a target per request among the healthy ones, round robin or by
// least outstanding requests. With no healthy target it fails open to every registered one
// when all of them are unhealthy, as ELB does; otherwise (say, all still initial) there is
// none, and the listener answers 503. A deregistered target drains: no new requests, and it
// leaves once its requests end or the deregistration delay passes. Loop-thread only.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lb/event_loop.hpp"
#include "lb/health_probe.hpp"
#include "lb/http_proxy.hpp"

namespace ecsbox::lb {

enum class TargetState { initial, healthy, unhealthy, draining };
const char* state_name(TargetState state);  // as DescribeTargetHealth spells it

struct HealthCheckSettings {
    bool tcp = false;
    std::string path = "/";
    std::string matcher = "200";
    int port = 0;  // 0: each target's own port ("traffic-port")
    std::chrono::milliseconds interval{30000};
    std::chrono::milliseconds timeout{5000};
    int healthy_threshold = 5;
    int unhealthy_threshold = 2;
};

struct TargetGroupSettings {
    HealthCheckSettings health;
    bool least_outstanding_requests = false;  // else round robin
    std::chrono::milliseconds deregistration_delay{300000};
};

struct TargetStatus {
    Backend backend;
    TargetState state = TargetState::initial;
    std::string reason;  // Elb.InitialHealthChecking, Target.Timeout, ... ("" when healthy)
    std::string description;
    std::size_t outstanding = 0;  // requests in flight
};

class TargetGroup {
public:
    TargetGroup(EventLoop& loop, TargetGroupSettings settings);
    ~TargetGroup();
    TargetGroup(const TargetGroup&) = delete;
    TargetGroup& operator=(const TargetGroup&) = delete;

    // The targets registered now: new ones start initial and are checked at once, those no
    // longer named drain.
    void set_targets(const std::vector<Backend>& targets);
    void configure(TargetGroupSettings settings);

    // A target for one request, counted as outstanding until done(); nullopt when none serves.
    std::optional<Backend> pick();
    void done(const Backend& backend);

    std::vector<TargetStatus> statuses() const;
    // Called when a target leaves (its drain ended), so what still talks to it can be closed.
    void on_removed(std::function<void(const Backend&)> removed) { m_on_removed = std::move(removed); }
    // Called when a target's health state or reason changes, and when a target leaves.
    void on_changed(std::function<void()> changed) { m_on_changed = std::move(changed); }

private:
    struct Target {
        TargetStatus status;
        int successes = 0, failures = 0;
        std::unique_ptr<HealthProbe> probe;
        EventLoop::Handle next_check = 0, drain_timer = 0;
    };
    Target* find(const Backend& backend);
    void schedule_check(Target& target, std::chrono::milliseconds delay);
    void check(Target& target);
    void record(const Backend& backend, const ProbeResult& result);
    void drain(Target& target);
    void remove(const Backend& backend);

    EventLoop& m_loop;
    TargetGroupSettings m_settings;
    std::vector<std::unique_ptr<Target>> m_targets;  // in registration order
    std::size_t m_cursor = 0;
    std::function<void(const Backend&)> m_on_removed;
    std::function<void()> m_on_changed;
};

}  // namespace ecsbox::lb

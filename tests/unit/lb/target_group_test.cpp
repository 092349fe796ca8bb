#include "lb/target_group.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <thread>

#include "support/http_test_server.hpp"

using ecsbox::lb::Backend;
using ecsbox::lb::EventLoop;
using ecsbox::lb::status_matches;
using ecsbox::lb::TargetGroup;
using ecsbox::lb::TargetGroupSettings;
using ecsbox::lb::TargetState;
using namespace std::chrono_literals;

namespace {

// A target whose health check answers what the test says.
class CheckedTarget {
public:
    CheckedTarget() {
        m_server.routes().Get("/health", [this](const httplib::Request&, httplib::Response& response) {
            response.status = m_status.load();
        });
        m_server.start();
    }
    Backend backend() const { return {"127.0.0.1", m_server.port()}; }
    void answer(int status) { m_status = status; }

private:
    std::atomic<int> m_status{200};
    ecsbox::testing::HttpTestServer m_server;  // after what its routes read: it stops first
};

TargetGroupSettings fast_checks() {
    TargetGroupSettings settings;
    settings.health.path = "/health";
    settings.health.interval = 20ms;
    settings.health.timeout = 200ms;
    settings.health.healthy_threshold = 2;
    settings.health.unhealthy_threshold = 2;
    settings.deregistration_delay = 200ms;
    return settings;
}

// Runs the loop until `done` holds (checked every few ms on the loop) or 5 s pass.
template <class Predicate>
bool run_until(EventLoop& loop, Predicate&& done) {
    bool met = false;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    std::function<void()> poll = [&] {
        if (done()) {
            met = true;
            loop.stop();
        } else if (std::chrono::steady_clock::now() > deadline) {
            loop.stop();
        } else {
            loop.after(5ms, poll);
        }
    };
    loop.after(0ms, poll);
    loop.run();
    return met;
}

TargetState state_of(const TargetGroup& group, const Backend& backend) {
    for (const auto& status : group.statuses())
        if (status.backend == backend) return status.state;
    FAIL("not registered");
    return TargetState::draining;
}

}  // namespace

TEST_CASE("matchers name codes, lists and ranges", "[lb][health]") {
    CHECK(status_matches("200", 200));
    CHECK_FALSE(status_matches("200", 204));
    CHECK(status_matches("200,202", 202));
    CHECK(status_matches("200-299", 250));
    CHECK_FALSE(status_matches("200-299", 301));
    CHECK_FALSE(status_matches("x", 200));
}

TEST_CASE("a target starts initial, becomes healthy, is taken out when it fails and comes back", "[lb][health]") {
    CheckedTarget a;
    EventLoop loop;
    TargetGroup group(loop, fast_checks());
    group.set_targets({a.backend()});
    CHECK(state_of(group, a.backend()) == TargetState::initial);
    CHECK_FALSE(group.pick());  // none healthy, none unhealthy: no one serves yet

    REQUIRE(run_until(loop, [&] { return state_of(group, a.backend()) == TargetState::healthy; }));
    REQUIRE(group.pick() == a.backend());
    group.done(a.backend());

    a.answer(503);
    REQUIRE(run_until(loop, [&] { return state_of(group, a.backend()) == TargetState::unhealthy; }));
    const auto status = group.statuses().front();
    CHECK(status.reason == "Target.ResponseCodeMismatch");
    CHECK(status.description == "Health checks failed with these codes: [503]");

    a.answer(200);
    REQUIRE(run_until(loop, [&] { return state_of(group, a.backend()) == TargetState::healthy; }));
}

TEST_CASE("requests go round robin over the healthy targets, failing open when all are unhealthy", "[lb][health]") {
    CheckedTarget a, b, c;
    EventLoop loop;
    TargetGroup group(loop, fast_checks());
    group.set_targets({a.backend(), b.backend(), c.backend()});
    REQUIRE(run_until(loop, [&] {
        for (const auto& s : group.statuses())
            if (s.state != TargetState::healthy) return false;
        return true;
    }));
    std::map<int, int> picks;
    for (int i = 0; i < 30; ++i) {
        const auto chosen = group.pick();
        REQUIRE(chosen);
        ++picks[chosen->port];
        group.done(*chosen);
    }
    CHECK(picks.size() == 3);
    for (const auto& [_, n] : picks) CHECK(n == 10);

    b.answer(500);
    REQUIRE(run_until(loop, [&] { return state_of(group, b.backend()) == TargetState::unhealthy; }));
    for (int i = 0; i < 10; ++i) {
        const auto chosen = group.pick();
        REQUIRE(chosen);
        CHECK(chosen->port != b.backend().port);
        group.done(*chosen);
    }
    a.answer(500);
    c.answer(500);
    REQUIRE(run_until(loop, [&] {
        for (const auto& s : group.statuses())
            if (s.state != TargetState::unhealthy) return false;
        return true;
    }));
    CHECK(group.pick());  // fail open
}

TEST_CASE("least outstanding requests prefers the least busy target", "[lb][health]") {
    CheckedTarget a, b;
    EventLoop loop;
    auto settings = fast_checks();
    settings.least_outstanding_requests = true;
    TargetGroup group(loop, settings);
    group.set_targets({a.backend(), b.backend()});
    REQUIRE(run_until(loop, [&] {
        for (const auto& s : group.statuses())
            if (s.state != TargetState::healthy) return false;
        return true;
    }));
    const auto busy = *group.pick();  // held open
    for (int i = 0; i < 5; ++i) {
        const auto chosen = group.pick();
        CHECK(*chosen != busy);
        group.done(*chosen);
    }
}

TEST_CASE("a deregistered target drains: no new requests, gone when its last one ends or the delay passes",
          "[lb][health]") {
    CheckedTarget a, b;
    EventLoop loop;
    TargetGroup group(loop, fast_checks());
    group.set_targets({a.backend(), b.backend()});
    REQUIRE(run_until(loop, [&] {
        for (const auto& s : group.statuses())
            if (s.state != TargetState::healthy) return false;
        return true;
    }));
    std::optional<Backend> in_flight;
    while (!in_flight || *in_flight != a.backend()) {
        if (in_flight) group.done(*in_flight);
        in_flight = group.pick();
    }
    group.set_targets({b.backend()});
    CHECK(state_of(group, a.backend()) == TargetState::draining);
    CHECK(group.statuses().front().reason == "Target.DeregistrationInProgress");
    for (int i = 0; i < 4; ++i) {
        const auto chosen = group.pick();
        CHECK(*chosen == b.backend());
        group.done(*chosen);
    }
    group.done(*in_flight);  // its last request ended
    CHECK(group.statuses().size() == 1);

    // One that keeps a request open leaves when the delay passes.
    group.set_targets({a.backend(), b.backend()});
    REQUIRE(run_until(loop, [&] { return state_of(group, a.backend()) == TargetState::healthy; }));
    in_flight.reset();
    while (!in_flight || *in_flight != a.backend()) {
        if (in_flight) group.done(*in_flight);
        in_flight = group.pick();
    }
    std::vector<Backend> removed;
    group.on_removed([&](const Backend& gone) { removed.push_back(gone); });
    group.set_targets({b.backend()});
    REQUIRE(run_until(loop, [&] { return group.statuses().size() == 1; }));
    CHECK(removed == std::vector<Backend>{a.backend()});  // so its connections can be closed
}

TEST_CASE("a target that does not answer in time is Target.Timeout; a TCP check only connects", "[lb][health]") {
    // A target that answers too late.
    ecsbox::testing::HttpTestServer silent;
    silent.routes().Get("/health", [](const httplib::Request&, httplib::Response&) { std::this_thread::sleep_for(600ms); });
    silent.start();
    const int port = silent.port();
    {
        EventLoop loop;
        TargetGroup group(loop, fast_checks());
        group.set_targets({{"127.0.0.1", port}});
        REQUIRE(run_until(loop, [&] { return group.statuses().front().state == TargetState::unhealthy; }));
        CHECK(group.statuses().front().reason == "Target.Timeout");

        auto tcp = fast_checks();
        tcp.health.tcp = true;
        TargetGroup connect_only(loop, tcp);
        connect_only.set_targets({{"127.0.0.1", port}});
        REQUIRE(run_until(loop, [&] { return connect_only.statuses().front().state == TargetState::healthy; }));
    }
}

TEST_CASE("deregistering idle targets removes them at once, several in one change", "[lb][health]") {
    CheckedTarget a, b, c;
    EventLoop loop;
    TargetGroup group(loop, fast_checks());
    int changes = 0;
    group.on_changed([&] { ++changes; });
    group.set_targets({a.backend(), b.backend(), c.backend()});
    group.set_targets({c.backend()});  // nothing in flight to a or b: no drain to wait for
    REQUIRE(group.statuses().size() == 1);
    CHECK(group.statuses().front().backend == c.backend());
    CHECK(changes == 2);
}

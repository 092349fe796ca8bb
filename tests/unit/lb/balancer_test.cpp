#include "lb/balancer.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <future>
#include <map>
#include <thread>

#include "support/http_test_server.hpp"

using namespace ecsbox::lb;
using namespace std::chrono_literals;

namespace {

class NamedBackend {
public:
    explicit NamedBackend(std::string name) : m_name(std::move(name)) {
        m_server.routes().Get(".*", [this](const httplib::Request&, httplib::Response& response) {
            response.set_content(m_name, "text/plain");
        });
        m_server.start();
    }
    Backend backend() const { return {"127.0.0.1", m_server.port()}; }

private:
    std::string m_name;
    ecsbox::testing::HttpTestServer m_server;  // after what its routes read: it stops first
};

TargetGroupSettings quick() {
    TargetGroupSettings settings;
    settings.health.interval = 20ms;
    settings.health.healthy_threshold = 1;
    settings.deregistration_delay = 100ms;
    return settings;
}

void wait_healthy(Balancer& balancer, const std::string& group, std::size_t count) {
    for (int i = 0; i < 500; ++i) {
        std::size_t healthy = 0;
        for (const auto& status : balancer.target_health(group)) healthy += status.state == TargetState::healthy;
        if (healthy == count) return;
        std::this_thread::sleep_for(10ms);
    }
    FAIL("targets of " << group << " did not become healthy");
}

Action forward(std::vector<WeightedGroup> groups) {
    Action action;
    action.groups = std::move(groups);
    return action;
}

}  // namespace

TEST_CASE("a balancer listener routes by its rules to health-checked target groups", "[lb][balancer]") {
    NamedBackend a("a"), b("b"), c("c"), canary("canary");
    Balancer balancer;
    balancer.put_target_group("web", quick());
    balancer.set_targets("web", {a.backend(), b.backend(), c.backend()});
    balancer.put_target_group("next", quick());
    balancer.set_targets("next", {canary.backend()});
    wait_healthy(balancer, "web", 3);
    wait_healthy(balancer, "next", 1);

    Action fixed;
    fixed.type = Action::Type::fixed_response;
    fixed.status = 418;
    fixed.body = "teapot";
    ListenerSpec spec;
    spec.default_action = forward({{"web", 1}});
    spec.rules = {{10, {{"path-pattern", {"/tea"}, "", {}}}, fixed},
                  {20, {{"path-pattern", {"/shop/*"}, "", {}}}, forward({{"web", 3}, {"next", 1}})}};
    const int port = balancer.put_listener("http", spec);
    REQUIRE(port > 0);

    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    std::map<std::string, int> answers;
    for (int i = 0; i < 30; ++i) ++answers[client.Get("/")->body];
    CHECK(answers == std::map<std::string, int>{{"a", 10}, {"b", 10}, {"c", 10}});
    const auto tea = client.Get("/tea");
    CHECK(tea->status == 418);
    CHECK(tea->body == "teapot");
    int to_canary = 0;
    for (int i = 0; i < 40; ++i) to_canary += client.Get("/shop/cart")->body == "canary";
    CHECK(to_canary == 10);

    // New rules on the same listener: the port stays.
    spec.rules.clear();
    spec.default_action = forward({{"next", 1}});
    CHECK(balancer.put_listener("http", spec) == port);
    CHECK(client.Get("/")->body == "canary");

    // A deregistered target drains and then gets nothing more.
    balancer.set_targets("next", {});
    const auto none = client.Get("/");
    CHECK(none->status == 503);
    balancer.remove_listener("http");
    httplib::Client after("127.0.0.1", port);
    CHECK_FALSE(after.Get("/"));
}

TEST_CASE("a balancer TCP listener forwards connections; a taken port is refused with errno", "[lb][balancer]") {
    NamedBackend a("a");
    Balancer balancer;
    balancer.put_target_group("tcp", [] {
        auto settings = quick();
        settings.health.tcp = true;
        return settings;
    }());
    balancer.set_targets("tcp", {a.backend()});
    wait_healthy(balancer, "tcp", 1);
    ListenerSpec spec;
    spec.tcp = true;
    spec.default_action = forward({{"tcp", 1}});
    const int port = balancer.put_listener("nlb", spec);
    REQUIRE(port > 0);
    httplib::Client client("127.0.0.1", port);
    CHECK(client.Get("/")->body == "a");

    ListenerSpec clash = spec;
    clash.port = port;
    errno = 0;
    CHECK(balancer.put_listener("other", clash) == 0);
    CHECK(errno == EADDRINUSE);
}

TEST_CASE("a request in flight to a draining target gets its whole answer on a connection that stays",
          "[lb][balancer]") {
    ecsbox::testing::HttpTestServer slow;
    slow.routes().Get("/slow", [](const httplib::Request&, httplib::Response& response) {
        std::this_thread::sleep_for(300ms);
        response.set_content("slow", "text/plain");
    });
    slow.routes().Get("/", [](const httplib::Request&, httplib::Response& response) {
        response.set_content("health", "text/plain");
    });
    slow.start();
    NamedBackend next("next");
    Balancer balancer;
    auto settings = quick();
    settings.deregistration_delay = 10s;  // the drain ends with the request, long before this
    balancer.put_target_group("web", settings);
    balancer.set_targets("web", {{"127.0.0.1", slow.port()}});
    wait_healthy(balancer, "web", 1);
    ListenerSpec spec;
    spec.default_action = forward({{"web", 1}});
    const int port = balancer.put_listener("http", spec);
    REQUIRE(port > 0);

    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    auto in_flight = std::async(std::launch::async, [&] { return client.Get("/slow"); });
    std::this_thread::sleep_for(100ms);
    balancer.set_targets("web", {next.backend()});  // the slow one drains
    const auto answer = in_flight.get();
    REQUIRE(answer);
    CHECK(answer->body == "slow");
    wait_healthy(balancer, "web", 1);
    const auto after = client.Get("/");
    REQUIRE(after);
    CHECK(after->body == "next");
}

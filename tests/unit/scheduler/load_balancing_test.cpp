#include "scheduler/load_balancing.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <map>
#include <sstream>
#include <thread>

#include "lb/net.hpp"
#include "support/http_test_server.hpp"
#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;
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
    int port() const { return m_server.port(); }

private:
    std::string m_name;
    ecsbox::testing::HttpTestServer m_server;
};

// ELBv2 through its API and the balancer pass over the same store, with health checks a few
// milliseconds apart.
struct World {
    ServiceHarness elb{"elbv2"};
    std::ostringstream log_sink;
    ecsbox::util::Logger log{log_sink, ecsbox::util::LogLevel::error};
    ecsbox::lb::Balancer balancer;
    ecsbox::scheduler::LoadBalancing pass{elb.store(), balancer, elb.clock(), log, {"127.0.0.1", 0.002}};

    std::string load_balancer = elb.ok("CreateLoadBalancer", {{"Name", "web"}})["LoadBalancers"][0]["LoadBalancerArn"];
    std::string group = elb.ok("CreateTargetGroup", {{"Name", "web"},
                                                     {"Protocol", "HTTP"},
                                                     {"Port", 80},
                                                     {"TargetType", "ip"},
                                                     {"HealthyThresholdCount", 2}})["TargetGroups"][0]["TargetGroupArn"];

    std::string listen(int port) {
        return elb.ok("CreateListener", {{"LoadBalancerArn", load_balancer},
                                         {"Protocol", "HTTP"},
                                         {"Port", port},
                                         {"DefaultActions", {{{"Type", "forward"}, {"TargetGroupArn", group}}}}})
            ["Listeners"][0]["ListenerArn"];
    }
    void register_target(int port) {
        elb.ok("RegisterTargets", {{"TargetGroupArn", group}, {"Targets", {{{"Id", "127.0.0.1"}, {"Port", port}}}}});
    }
    json health() { return elb.ok("DescribeTargetHealth", {{"TargetGroupArn", group}})["TargetHealthDescriptions"]; }
    // Steps the pass until every target has `state` (or none is left, for ""), bounded.
    void settle(const std::string& state, std::size_t count) {
        for (int i = 0; i < 300; ++i) {
            pass.step();
            const auto targets = health();
            std::size_t matching = 0;
            for (const auto& target : targets) matching += target["TargetHealth"]["State"] == state;
            if (targets.size() == count && matching == count) return;
            std::this_thread::sleep_for(10ms);
        }
        FAIL("targets did not become " << state << ": " << health().dump());
    }
    int listener_port(const std::string& arn) {
        return elb.ok("DescribeListeners", {{"ListenerArns", {arn}}})["Listeners"][0]["Port"];
    }
};

int free_port() {
    auto fd = ecsbox::lb::listen_tcp("127.0.0.1", 0);
    return ecsbox::lb::local_port(fd.get());
}

}  // namespace

TEST_CASE("the balancer pass serves a listener round robin over the healthy targets and records their health",
          "[scheduler][load_balancing]") {
    NamedBackend a("a"), b("b");
    World world;
    const auto port = free_port();
    const auto listener = world.listen(port);
    world.register_target(a.port());
    world.register_target(b.port());
    world.settle("healthy", 2);
    CHECK(world.listener_port(listener) == port);
    CHECK(world.elb.ok("DescribeLoadBalancers")["LoadBalancers"][0]["State"] == json{{"Code", "active"}});

    httplib::Client client("127.0.0.1", port);
    std::map<std::string, int> answers;
    for (int i = 0; i < 10; ++i) ++answers[client.Get("/")->body];
    CHECK(answers == std::map<std::string, int>{{"a", 5}, {"b", 5}});

    world.elb.ok("DeregisterTargets", {{"TargetGroupArn", world.group}, {"Targets", {{{"Id", "127.0.0.1"}, {"Port", a.port()}}}}});
    // Nothing was in flight to a: it gets no more requests at once, and shows draining for the
    // whole deregistration delay, as ELB shows it.
    world.pass.step();
    for (int i = 0; i < 4; ++i) CHECK(client.Get("/")->body == "b");
    world.pass.step();
    auto health = world.health();
    REQUIRE(health.size() == 2);
    CHECK(health[0]["TargetHealth"]["State"] == "draining");
    world.elb.clock().advance(300);
    world.settle("healthy", 1);
}

TEST_CASE("a target that stops answering is recorded unhealthy with ELB's reason", "[scheduler][load_balancing]") {
    World world;
    world.listen(free_port());
    const auto dead = free_port();  // nothing listens there
    world.register_target(dead);
    world.settle("unhealthy", 1);
    CHECK(world.health()[0]["TargetHealth"]["Reason"] == "Target.FailedHealthChecks");
}

TEST_CASE("a listener whose port is taken listens elsewhere, and says so", "[scheduler][load_balancing]") {
    World world;
    auto taken = ecsbox::lb::listen_tcp("127.0.0.1", 0);
    const auto port = ecsbox::lb::local_port(taken.get());
    const auto listener = world.listen(port);
    world.pass.step();
    const auto real = world.listener_port(listener);
    CHECK(real != port);
    CHECK(real > 0);
    const auto state = world.elb.ok("DescribeLoadBalancers")["LoadBalancers"][0]["State"];
    CHECK(state["Code"] == "active_impaired");
    CHECK(state["Reason"].get<std::string>().find("listener port " + std::to_string(port) + " is unavailable") !=
          std::string::npos);
    httplib::Client client("127.0.0.1", real);
    CHECK(client.Get("/")->status == 503);  // no target yet: at once, never a hang
}

TEST_CASE("a deleted listener stops listening, and a rule change applies in place", "[scheduler][load_balancing]") {
    World world;
    const auto port = free_port();
    const auto listener = world.listen(port);
    world.elb.ok("CreateRule", {{"ListenerArn", listener},
                                {"Priority", 1},
                                {"Conditions", {{{"Field", "path-pattern"}, {"Values", {"/tea"}}}}},
                                {"Actions", {{{"Type", "fixed-response"},
                                              {"FixedResponseConfig", {{"StatusCode", "418"}, {"MessageBody", "teapot"}}}}}}});
    world.pass.step();
    httplib::Client client("127.0.0.1", port);
    client.set_keep_alive(true);
    const auto tea = client.Get("/tea");
    REQUIRE(tea);
    CHECK(tea->status == 418);
    CHECK(tea->body == "teapot");
    CHECK(world.listener_port(listener) == port);

    world.elb.ok("DeleteListener", {{"ListenerArn", listener}});
    world.pass.step();
    httplib::Client after("127.0.0.1", port);
    CHECK_FALSE(after.Get("/tea"));
}

#include "support/fake_docker.hpp"

#include <catch2/catch.hpp>
#include <thread>

#include "support/fake_clock.hpp"

using ecsbox::docker::ContainerEvent;
using ecsbox::docker::DockerError;
using ecsbox::testing::FakeClock;
using ecsbox::testing::FakeDocker;
using json = nlohmann::json;

namespace {
json web_config() {
    return {{"Image", "web:1"},
            {"Labels", {{"com.amazonaws.ecs.task-arn", "arn:task/1"}}},
            {"HostConfig", {{"PortBindings", {{"80/tcp", {{{"HostPort", "0"}}}}, {"81/tcp", {{{"HostPort", "8081"}}}}}}}}};
}
}  // namespace

TEST_CASE("fake docker runs a container through its life", "[docker][fake_docker]") {
    FakeClock clock;
    FakeDocker docker(&clock);
    docker.add_image("web:1");

    const std::string id = docker.create_container("web-1", web_config());
    CHECK(docker.id_of("web-1") == id);
    CHECK(docker.inspect_container(id)->status == "created");
    CHECK(docker.created_config("web-1")->at("Image") == "web:1");

    docker.start_container(id);
    auto state = docker.inspect_container("web-1");
    REQUIRE(state);
    CHECK(state->running);
    CHECK(state->started_at == clock.now());
    CHECK(state->health.empty());
    REQUIRE(state->ports.size() == 2);
    CHECK(state->ports[0].container_port == 80);
    CHECK(state->ports[0].host_port == 49153);
    CHECK(state->ports[1].host_port == 8081);
    CHECK(docker.list_containers("com.amazonaws.ecs.task-arn").size() == 1);
    CHECK(docker.list_containers("other").empty());

    clock.advance(5);
    docker.exit(id, 3);
    state = docker.inspect_container(id);
    CHECK(state->status == "exited");
    CHECK(state->exit_code == 3);
    CHECK(state->finished_at == clock.now());
    CHECK(state->ports.empty());

    docker.remove_container(id);
    docker.remove_container(id);  // a missing container is fine
    CHECK_FALSE(docker.inspect_container(id));
}

TEST_CASE("fake docker images: present, pullable, or failing with the configured message", "[docker][fake_docker]") {
    FakeDocker docker;
    docker.add_image("busybox");
    CHECK(docker.inspect_image("busybox:latest"));
    CHECK_FALSE(docker.inspect_image("web:1"));
    CHECK_THROWS_MATCHES(docker.create_container("x", {{"Image", "web:1"}}), DockerError,
                         Catch::Predicate<DockerError>([](const DockerError& e) { return e.status() == 404; }));

    docker.add_pullable("web:1");
    docker.pull_image("web:1", "");
    CHECK(docker.inspect_image("web:1"));

    docker.set_pull_error("manifest unknown");
    CHECK_THROWS_WITH(docker.pull_image("nothing:latest", ""), "manifest unknown");
    CHECK(docker.pulls() == std::vector<std::string>{"web:1", "nothing:latest"});
}

TEST_CASE("fake docker stops with the timeout recorded and fails starts on request", "[docker][fake_docker]") {
    FakeDocker docker;
    docker.add_image("web:1");
    const std::string id = docker.create_container("web-1", web_config());
    docker.fail_next_start("exec format error");
    CHECK_THROWS_WITH(docker.start_container(id), "exec format error");
    CHECK(docker.inspect_container(id)->status == "created");
    CHECK(docker.inspect_container(id)->error == "exec format error");

    docker.start_container(id);
    docker.stop_container(id, 30);
    CHECK(docker.stop_timeouts(id) == std::vector<int>{30});
    CHECK(docker.inspect_container(id)->exit_code == 143);
    CHECK_THROWS_AS(docker.stop_container("missing", 1), DockerError);
}

TEST_CASE("fake docker, unreachable, throws status 0 and fails ping", "[docker][fake_docker]") {
    FakeDocker docker;
    docker.set_reachable(false);
    CHECK_FALSE(docker.ping());
    try {
        docker.list_containers("x");
        FAIL("no throw");
    } catch (const DockerError& e) {
        CHECK(e.unreachable());
    }
    docker.set_reachable(true);
    CHECK(docker.ping());
}

TEST_CASE("fake docker delivers events to watchers until stopped", "[docker][fake_docker]") {
    FakeDocker docker;
    docker.add_image("web:1");
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<ContainerEvent> seen;
    std::thread watcher([&] {
        docker.watch_events("com.amazonaws.ecs.task-arn", stop, [&](const ContainerEvent& event) {
            std::lock_guard lock(mutex);
            seen.push_back(event);
        });
    });
    REQUIRE(docker.wait_for_watchers(1));

    const std::string id = docker.create_container("web-1", web_config());
    docker.add_image("plain");
    docker.start_container(docker.create_container("unlabelled", {{"Image", "plain"}}));
    docker.start_container(id);
    docker.set_health(id, "healthy");
    docker.exit(id, 0);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex);
            if (seen.size() >= 4) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
    watcher.join();
    CHECK(docker.wait_for_watchers(0));

    std::vector<std::string> actions;
    for (const auto& event : seen) {
        CHECK(event.id == id);
        actions.push_back(event.action);
    }
    CHECK(actions == std::vector<std::string>{"create", "start", "health_status: healthy", "die"});
    CHECK(seen.back().labels.at("exitCode") == "0");
    CHECK(seen.back().labels.at("name") == "web-1");
}

TEST_CASE("fake docker watchers return when the engine goes away", "[docker][fake_docker]") {
    FakeDocker docker;
    std::atomic<bool> stop{false};
    std::thread watcher([&] { docker.watch_events("k", stop, [](const ContainerEvent&) {}); });
    REQUIRE(docker.wait_for_watchers(1));
    docker.set_reachable(false);
    watcher.join();
    CHECK_THROWS_AS(docker.watch_events("k", stop, [](const ContainerEvent&) {}), DockerError);
}

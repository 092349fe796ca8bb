// EngineClient against the real engine ($DOCKER_HOST, else the default socket). Needs the
// images from fixtures/images/build. Every container and volume is named ecsbox-test-<random>
// and removed when its test ends, pass or fail.
#include "docker/engine_client.hpp"

#include <curl/curl.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>

using ecsbox::docker::ContainerEvent;
using ecsbox::docker::DockerError;
using ecsbox::docker::EngineClient;
using ecsbox::docker::parse_docker_host;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* k_busybox = "ecsbox-test/busybox:latest";
constexpr const char* k_webapp = "ecsbox-test/webapp:latest";

ecsbox::docker::Endpoint engine() {
    const char* host = std::getenv("DOCKER_HOST");
    return parse_docker_host(host ? host : "");
}

std::string unique_name() {
    std::random_device random;
    std::uniform_int_distribution<std::uint32_t> digits;
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%08x", digits(random));
    return std::string("ecsbox-test-") + buffer;
}

// Removes, whatever the test did, the containers and volumes it created.
class Cleanup {
public:
    explicit Cleanup(EngineClient& docker) : m_docker(docker) {}
    Cleanup(const Cleanup&) = delete;
    Cleanup& operator=(const Cleanup&) = delete;
    ~Cleanup() {
        for (const auto& name : m_containers) {
            try {
                m_docker.remove_container(name);
            } catch (const std::exception&) {
            }
        }
        // The client has no volume removal (ecsbox never removes volumes yet); the CLI does it.
        for (const auto& name : m_volumes) {
            const std::string command = "docker volume rm -f " + name + " >/dev/null 2>&1";
            if (std::system(command.c_str()) != 0) WARN("could not remove volume " << name);
        }
    }
    // A fresh container name, removed at the end.
    std::string container() { return m_containers.emplace_back(unique_name()); }
    std::string volume() { return m_volumes.emplace_back(unique_name()); }

private:
    EngineClient& m_docker;
    std::vector<std::string> m_containers;
    std::vector<std::string> m_volumes;
};

void require_image(EngineClient& docker, const std::string& image) {
    if (!docker.inspect_image(image)) FAIL(image << " is missing: run fixtures/images/build first");
}

// Polls `done` every 50 ms for up to `limit`.
template <class Done>
bool eventually(Done done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return done();
}

std::size_t append(char* data, std::size_t size, std::size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

// GET http://127.0.0.1:port/path: the body, or nullopt when nothing answered.
std::optional<std::string> http_get(int port, const std::string& path) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
    std::string body;
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    if (curl_easy_perform(curl.get()) != CURLE_OK) return std::nullopt;
    return body;
}

json webapp_config(const std::string& label_key) {
    return {{"Image", k_webapp},
            {"Env", {"ECS_TASK_ID=e2e-task"}},
            {"Labels", {{label_key, "yes"}}},
            {"ExposedPorts", {{"8080/tcp", json::object()}}},
            {"HostConfig", {{"PortBindings", {{"8080/tcp", {{{"HostIp", "127.0.0.1"}, {"HostPort", ""}}}}}}}}};
}

int host_port_of(const ecsbox::docker::ContainerState& state, int container_port) {
    for (const auto& port : state.ports)
        if (port.container_port == container_port && port.protocol == "tcp") return port.host_port;
    return 0;
}

}  // namespace

TEST_CASE("the engine answers ping and info with a negotiated API version", "[e2e][docker]") {
    EngineClient docker(engine());
    CHECK(docker.ping());
    const auto info = docker.info();
    CHECK(info.cpus > 0);
    CHECK(info.memory_bytes > 0);
    CHECK_FALSE(info.server_version.empty());
    CHECK_FALSE(info.operating_system.empty());
    INFO("api version " << info.api_version);
    REQUIRE(info.api_version.rfind("1.", 0) == 0);
    CHECK(std::stoi(info.api_version.substr(2)) <= 43);
}

TEST_CASE("inspect_image finds the test image and not a missing one", "[e2e][docker]") {
    EngineClient docker(engine());
    CHECK_FALSE(docker.inspect_image("ecsbox-test/does-not-exist:nope"));
    const auto image = docker.inspect_image(k_webapp);
    if (!image) FAIL("ecsbox-test/webapp is missing: run fixtures/images/build first");
    CHECK(image->id.rfind("sha256:", 0) == 0);
}

TEST_CASE("a pull from an unreachable registry fails with the engine's reason", "[e2e][docker]") {
    EngineClient docker(engine());
    const auto start = std::chrono::steady_clock::now();
    try {
        docker.pull_image("127.0.0.1:1/nothing:latest", "");
        FAIL("the pull succeeded");
    } catch (const DockerError& e) {
        INFO(e.what());
        CHECK_FALSE(e.unreachable());
        CHECK(std::string(e.what()).find("127.0.0.1:1") != std::string::npos);
    }
    CHECK(std::chrono::steady_clock::now() - start < 30s);
    CHECK_FALSE(docker.inspect_image("127.0.0.1:1/nothing:latest"));
}

TEST_CASE("a webapp container is created, runs with its port bound, stops and is removed", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_webapp);
    Cleanup cleanup(docker);
    const std::string name = cleanup.container();
    const std::string label_key = "ecsbox.test." + name;

    const std::string id = docker.create_container(name, webapp_config(label_key));
    CHECK(id.size() == 64);
    auto state = docker.inspect_container(id);
    REQUIRE(state);
    CHECK(state->status == "created");
    CHECK_FALSE(state->started_at);
    CHECK_FALSE(state->finished_at);

    docker.start_container(id);
    docker.start_container(id);  // already started: fine
    state = docker.inspect_container(name);
    REQUIRE(state);
    CHECK(state->id == id);
    CHECK(state->name == name);
    CHECK(state->status == "running");
    CHECK(state->running);
    CHECK(state->health.empty());
    CHECK(state->image == k_webapp);
    CHECK(state->image_id == docker.inspect_image(k_webapp)->id);
    CHECK(state->labels.at(label_key) == "yes");
    REQUIRE(state->started_at);
    CHECK(std::abs(*state->started_at - static_cast<double>(std::time(nullptr))) < 60);
    CHECK_FALSE(state->finished_at);
    const int port = host_port_of(*state, 8080);
    REQUIRE(port > 0);

    std::optional<std::string> body;
    CHECK(eventually([&] { return (body = http_get(port, "/")).has_value(); }, 5s));
    CHECK(body.value_or("").rfind("task=e2e-task host=", 0) == 0);

    const auto stop_start = std::chrono::steady_clock::now();
    docker.stop_container(id, 10);
    CHECK(std::chrono::steady_clock::now() - stop_start < 5s);  // the entrypoint honours SIGTERM
    state = docker.inspect_container(id);
    REQUIRE(state);
    CHECK(state->status == "exited");
    CHECK_FALSE(state->running);
    CHECK(state->exit_code == 143);
    CHECK(state->finished_at);
    docker.stop_container(id, 10);  // already stopped: fine

    docker.remove_container(id);
    CHECK_FALSE(docker.inspect_container(id));
    docker.remove_container(id);  // already gone: fine
    CHECK_THROWS_MATCHES(docker.stop_container(id, 1), DockerError,
                         Catch::Predicate<DockerError>([](const DockerError& e) { return e.status() == 404; }));
}

TEST_CASE("the webapp exits with the code GET /exit asks for", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_webapp);
    Cleanup cleanup(docker);
    const std::string id = docker.create_container(cleanup.container(), webapp_config("ecsbox.test"));
    docker.start_container(id);
    const int port = host_port_of(docker.inspect_container(id).value(), 8080);
    REQUIRE(port > 0);
    CHECK(eventually([&] { return http_get(port, "/health") == std::optional<std::string>("healthy\n"); }, 5s));
    CHECK(http_get(port, "/exit?code=7") == std::optional<std::string>("exiting with 7\n"));
    CHECK(eventually([&] { return !docker.inspect_container(id).value().running; }));
    CHECK(docker.inspect_container(id)->exit_code == 7);
}

TEST_CASE("stop waits the timeout for a process that ignores SIGTERM, then kills it", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_busybox);
    Cleanup cleanup(docker);
    // PID 1 ignores signals it has no handler for, so sleep lives through SIGTERM.
    const std::string id = docker.create_container(cleanup.container(), {{"Image", k_busybox}, {"Cmd", {"sleep", "300"}}});
    docker.start_container(id);
    const auto start = std::chrono::steady_clock::now();
    docker.stop_container(id, 1);
    CHECK(std::chrono::steady_clock::now() - start >= 1s);
    const auto state = docker.inspect_container(id);
    REQUIRE(state);
    CHECK(state->exit_code == 137);
}

TEST_CASE("a container's own exit code and a start failure are reported", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_busybox);
    Cleanup cleanup(docker);

    const std::string exits = docker.create_container(cleanup.container(), {{"Image", k_busybox}, {"Cmd", {"sh", "-c", "exit 3"}}});
    docker.start_container(exits);
    CHECK(eventually([&] { return docker.inspect_container(exits).value().status == "exited"; }));
    CHECK(docker.inspect_container(exits)->exit_code == 3);

    const std::string broken =
        docker.create_container(cleanup.container(), {{"Image", k_busybox}, {"Cmd", {"/no/such/binary"}}});
    try {
        docker.start_container(broken);
        FAIL("the start succeeded");
    } catch (const DockerError& e) {
        INFO(e.what());
        CHECK(e.status() >= 400);
        CHECK(std::string(e.what()).find("/no/such/binary") != std::string::npos);
    }
    const auto state = docker.inspect_container(broken);
    REQUIRE(state);
    CHECK_FALSE(state->running);
    CHECK(state->error.find("/no/such/binary") != std::string::npos);
}

TEST_CASE("create fails with 404 for a missing image and 409 for a taken name", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_busybox);
    Cleanup cleanup(docker);
    const std::string name = cleanup.container();
    CHECK_THROWS_MATCHES(docker.create_container(name, {{"Image", "ecsbox-test/does-not-exist:nope"}}), DockerError,
                         Catch::Predicate<DockerError>([](const DockerError& e) { return e.status() == 404; }));
    docker.create_container(name, {{"Image", k_busybox}});
    CHECK_THROWS_MATCHES(docker.create_container(name, {{"Image", k_busybox}}), DockerError,
                         Catch::Predicate<DockerError>([](const DockerError& e) { return e.status() == 409; }));
}

TEST_CASE("list_containers finds containers by label key, running or not", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_busybox);
    Cleanup cleanup(docker);
    const std::string key = "ecsbox.test." + unique_name();
    const std::string labelled = cleanup.container();
    const std::string id = docker.create_container(labelled, {{"Image", k_busybox}, {"Labels", {{key, "v"}}}});
    docker.create_container(cleanup.container(), {{"Image", k_busybox}});

    const auto found = docker.list_containers(key);
    REQUIRE(found.size() == 1);
    CHECK(found[0].id == id);
    CHECK(found[0].name == labelled);
    CHECK(found[0].state == "created");
    CHECK(found[0].labels.at(key) == "v");
}

TEST_CASE("watch_events sees start and die of labelled containers and returns soon after stop", "[e2e][docker]") {
    EngineClient docker(engine());
    require_image(docker, k_busybox);
    Cleanup cleanup(docker);
    const std::string key = "ecsbox.test." + unique_name();

    std::mutex mutex;
    std::vector<ContainerEvent> events;
    std::atomic<bool> stop{false};
    std::exception_ptr failure;
    std::thread watcher([&] {
        try {
            docker.watch_events(key, stop, [&](const ContainerEvent& event) {
                std::lock_guard lock(mutex);
                events.push_back(event);
            });
        } catch (...) {
            failure = std::current_exception();
        }
    });
    const auto seen = [&](const std::string& id, const std::string& action) {
        std::lock_guard lock(mutex);
        for (const auto& event : events)
            if (event.id == id && event.action == action) return true;
        return false;
    };
    // The engine streams only what happens after the request: make sure it is under way, and a
    // container that does not carry the label must not show up.
    std::this_thread::sleep_for(500ms);
    const std::string name = cleanup.container();
    const std::string other = docker.create_container(cleanup.container(), {{"Image", k_busybox}});
    const std::string id = docker.create_container(
        name, {{"Image", k_busybox}, {"Cmd", {"sh", "-c", "sleep 0.2; exit 4"}}, {"Labels", {{key, "1"}}}});
    docker.start_container(other);
    docker.start_container(id);
    CHECK(eventually([&] { return seen(id, "die"); }));

    const auto stop_start = std::chrono::steady_clock::now();
    stop = true;
    watcher.join();
    CHECK(std::chrono::steady_clock::now() - stop_start < 1s);
    if (failure) std::rethrow_exception(failure);

    CHECK(seen(id, "create"));
    CHECK(seen(id, "start"));
    std::lock_guard lock(mutex);
    for (const auto& event : events) {
        CHECK(event.id == id);
        CHECK(event.labels.at(key) == "1");
        CHECK(event.labels.at("name") == name);
        if (event.action == "die") CHECK(event.labels.at("exitCode") == "4");
    }
}

TEST_CASE("ensure_volume creates a volume once and accepts it existing", "[e2e][docker]") {
    EngineClient docker(engine());
    Cleanup cleanup(docker);
    const std::string name = cleanup.volume();
    CHECK(docker.ensure_volume(name, {{"driver", "local"}, {"labels", {{"ecsbox.test", "1"}}}}) == name);
    CHECK(docker.ensure_volume(name, json::object()) == name);
    const std::string check = "docker volume inspect --format '{{index .Labels \"ecsbox.test\"}}' " + name +
                              " 2>/dev/null | grep -qx 1";
    CHECK(std::system(check.c_str()) == 0);

    docker.remove_volume(name);
    CHECK(std::system(("docker volume inspect " + name + " >/dev/null 2>&1").c_str()) != 0);
    CHECK_NOTHROW(docker.remove_volume(name));  // already gone is fine
}

TEST_CASE("network_gateway reports the bridge's IPv4 gateway and nothing for a missing network", "[e2e][docker]") {
    EngineClient docker(engine());
    const auto gateway = docker.network_gateway("bridge");
    REQUIRE(gateway);
    CHECK(std::count(gateway->begin(), gateway->end(), '.') == 3);
    CHECK_FALSE(docker.network_gateway(unique_name()));
}

TEST_CASE("one client serves several threads at once, negotiating once", "[e2e][docker]") {
    EngineClient docker(engine());
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&] {
            try {
                if (docker.info().cpus > 0 && docker.ping() && !docker.inspect_image("ecsbox-test/does-not-exist:x"))
                    ++good;
            } catch (const std::exception&) {
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(good == 8);
}

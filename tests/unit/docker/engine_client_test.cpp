// EngineClient without a real engine: nothing listening, or a scripted one (cpp-httplib) for
// what the real engine rarely does on cue: a newer API version, a pull that fails mid-stream,
// events split across chunks. (Against the real engine: tests/e2e/docker/.)
#include "docker/engine_client.hpp"

#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

using ecsbox::docker::DockerError;
using ecsbox::docker::EngineClient;
using ecsbox::docker::parse_docker_host;

TEST_CASE("an engine that is not there: ping is false, calls throw status 0 naming the address",
          "[docker][engine_client]") {
    for (const char* host : {"unix:///nonexistent/ecsbox-test.sock", "tcp://127.0.0.1:1"}) {
        INFO(host);
        EngineClient docker(parse_docker_host(host));
        const auto start = std::chrono::steady_clock::now();
        CHECK_FALSE(docker.ping());
        try {
            docker.info();
            FAIL("info() did not throw");
        } catch (const DockerError& e) {
            CHECK(e.unreachable());
            CHECK(std::string(e.what()).find(host) != std::string::npos);
        }
        std::atomic<bool> stop{false};
        CHECK_THROWS_AS(docker.watch_events("k", stop, [](const auto&) {}), DockerError);
        // Refused at once: no waiting out the 2 s connect timeout.
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    }
}

namespace {

using namespace std::chrono_literals;

// An HTTP server on 127.0.0.1 playing the engine; routes are added before start().
class ScriptedEngine {
public:
    ScriptedEngine() {
        m_server.Get("/version", [this](const httplib::Request&, httplib::Response& res) {
            ++version_calls;
            res.set_content(R"({"ApiVersion":")" + api_version + R"("})", "application/json");
        });
    }
    ScriptedEngine(const ScriptedEngine&) = delete;
    ScriptedEngine& operator=(const ScriptedEngine&) = delete;
    ~ScriptedEngine() {
        closing = true;
        m_server.stop();
        if (m_thread.joinable()) m_thread.join();
    }
    httplib::Server& server() { return m_server; }
    std::string start() {
        const int port = m_server.bind_to_any_port("127.0.0.1");
        // Already listening once bound: a client that connects early waits in the backlog.
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        return "tcp://127.0.0.1:" + std::to_string(port);
    }

    std::string api_version = "1.45";
    std::atomic<int> version_calls{0};
    std::atomic<bool> closing{false};

private:
    httplib::Server m_server;
    std::thread m_thread;
};

}  // namespace

TEST_CASE("the API version is negotiated once, capped at 1.43, and prefixes every call", "[docker][engine_client]") {
    ScriptedEngine engine;
    engine.server().Get("/v1.43/info", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"NCPU":3,"MemTotal":1024,"ServerVersion":"99.0","OperatingSystem":"Scripted"})",
                        "application/json");
    });
    EngineClient docker(parse_docker_host(engine.start()));
    const auto info = docker.info();
    CHECK(info.api_version == "1.43");
    CHECK(info.cpus == 3);
    CHECK(info.memory_bytes == 1024);
    CHECK(info.server_version == "99.0");
    CHECK(info.operating_system == "Scripted");
    docker.info();
    CHECK(engine.version_calls == 1);
}

TEST_CASE("an older engine's API version is used as it is", "[docker][engine_client]") {
    ScriptedEngine engine;
    engine.api_version = "1.40";
    engine.server().Get("/v1.40/info", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("{}", "application/json");
    });
    EngineClient docker(parse_docker_host(engine.start()));
    CHECK(docker.info().api_version == "1.40");
}

TEST_CASE("HTTP errors carry the engine's message and status; 404s mean absent where they should",
          "[docker][engine_client]") {
    ScriptedEngine engine;
    auto& server = engine.server();
    server.Post("/v1.43/containers/c1/start", [](const httplib::Request&, httplib::Response& res) {
        res.status = 500;
        res.set_content(R"({"message":"OCI runtime create failed"})", "application/json");
    });
    server.Post("/v1.43/containers/c2/start", [](const httplib::Request&, httplib::Response& res) {
        res.status = 502;
        res.set_content("bad gateway\n", "text/plain");
    });
    server.Get("/v1.43/containers/gone/json", [](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content(R"({"message":"No such container: gone"})", "application/json");
    });
    server.Delete("/v1.43/containers/gone", [](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content(R"({"message":"No such container: gone"})", "application/json");
    });
    server.Get("/v1.43/images/localhost:4566/app:v1/json", [](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_content(R"({"message":"No such image"})", "application/json");
    });
    EngineClient docker(parse_docker_host(engine.start()));

    try {
        docker.start_container("c1");
        FAIL("no throw");
    } catch (const DockerError& e) {
        CHECK(e.status() == 500);
        CHECK(std::string(e.what()) == "OCI runtime create failed");
    }
    CHECK_THROWS_WITH(docker.start_container("c2"), "bad gateway");
    CHECK_FALSE(docker.inspect_container("gone"));
    CHECK_NOTHROW(docker.remove_container("gone"));
    CHECK_FALSE(docker.inspect_image("localhost:4566/app:v1"));
}

TEST_CASE("a pull splits the reference and fails on an error line though the status is 200",
          "[docker][engine_client]") {
    ScriptedEngine engine;
    std::vector<std::string> queries;
    engine.server().Post("/v1.43/images/create", [&](const httplib::Request& req, httplib::Response& res) {
        const std::string from = req.get_param_value("fromImage");
        const std::string tag = req.get_param_value("tag");
        queries.push_back(from + " " + tag + " " + req.get_header_value("X-Registry-Auth"));
        std::string body = R"({"status":"Pulling from app","id":"v1"})" "\r\n";
        if (from == "localhost:4566/broken")
            body += R"({"errorDetail":{"message":"manifest unknown: v9"},"error":"manifest unknown: v9"})" "\r\n";
        else
            body += R"({"status":"Status: Downloaded newer image for app:v1"})" "\r\n";
        res.set_content(body, "application/json");
    });
    EngineClient docker(parse_docker_host(engine.start()));

    CHECK_NOTHROW(docker.pull_image("localhost:4566/team/app:v1", "eyJ1c2VybmFtZSI6IkFXUyJ9"));
    CHECK_THROWS_WITH(docker.pull_image("localhost:4566/broken:v9", ""), "manifest unknown: v9");
    CHECK_NOTHROW(docker.pull_image("nginx", ""));
    CHECK(queries == std::vector<std::string>{"localhost:4566/team/app v1 eyJ1c2VybmFtZSI6IkFXUyJ9",
                                              "localhost:4566/broken v9 ", "nginx latest "});
}

TEST_CASE("events split across chunks arrive whole, and stop ends the stream at once", "[docker][engine_client]") {
    ScriptedEngine engine;
    std::string filters;
    engine.server().Get("/v1.43/events", [&](const httplib::Request& req, httplib::Response& res) {
        filters = req.get_param_value("filters");
        res.set_chunked_content_provider("application/json", [&](std::size_t, httplib::DataSink& sink) {
            const std::string first = R"({"status":"start","id":"abc","Type":"container","Action":"start",)"
                                      R"("Actor":{"ID":"abc","Attributes":{"k":"v","name":"web"}}})" "\n";
            const std::string second = R"({"Type":"container","Action":"die","Actor":{"ID":"def",)"
                                       R"("Attributes":{"exitCode":"1"}}})" "\n";
            sink.write(first.data(), 30);
            std::this_thread::sleep_for(50ms);
            const std::string rest = first.substr(30) + second;
            sink.write(rest.data(), rest.size());
            // Then silence, as from an engine with nothing to report, until the client leaves.
            while (!engine.closing && sink.is_writable()) std::this_thread::sleep_for(20ms);
            sink.done();
            return true;
        });
    });
    EngineClient docker(parse_docker_host(engine.start()));

    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::vector<ecsbox::docker::ContainerEvent> events;
    std::thread watcher([&] {
        docker.watch_events("k", stop, [&](const ecsbox::docker::ContainerEvent& event) {
            std::lock_guard lock(mutex);
            events.push_back(event);
        });
    });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(mutex);
            if (events.size() == 2) break;
        }
        std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(300ms);  // idle: no data arrives while the client waits
    const auto stopped = std::chrono::steady_clock::now();
    stop = true;
    watcher.join();
    CHECK(std::chrono::steady_clock::now() - stopped < 500ms);

    CHECK(nlohmann::json::parse(filters) == nlohmann::json::parse(R"({"type":["container"],"label":["k"]})"));
    REQUIRE(events.size() == 2);
    CHECK(events[0].id == "abc");
    CHECK(events[0].action == "start");
    CHECK(events[0].labels == std::map<std::string, std::string>{{"k", "v"}, {"name", "web"}});
    CHECK(events[1].id == "def");
    CHECK(events[1].action == "die");
    CHECK(events[1].labels.at("exitCode") == "1");
}

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <fstream>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include "app.hpp"
#include "store/db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::App;
using ecsbox::Config;
using ecsbox::StartupError;
using ecsbox::testing::TempDir;

namespace {

// A listening loopback socket on a free port, closed at scope exit.
class Listener {
public:
    Listener() : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(m_fd, 1) != 0 ||
            ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
            throw std::runtime_error("cannot listen");
        m_port = ntohs(addr.sin_port);
    }
    ~Listener() { ::close(m_fd); }
    int port() const { return m_port; }

private:
    int m_fd;
    int m_port = 0;
};

// A port nothing listens on right now.
int free_port() { return Listener().port(); }

Config config_for(const std::string& data_dir, int port) {
    Config config;
    config.data_dir = data_dir;
    config.port = port;
    return config;
}

// An App serving on a free loopback port from its own thread, stopped and joined at scope exit
// (also when an assertion fails half-way).
class ServingApp {
public:
    explicit ServingApp(const std::string& runtime = "docker") : m_port(free_port()) {
        auto config = config_for(m_dir.path(), m_port);
        config.runtime = runtime;
        m_app = std::make_unique<App>(config, m_log);
        m_thread = std::thread([this] { m_app->run(); });
    }
    ~ServingApp() {
        m_app->stop();
        m_thread.join();
    }
    int port() const { return m_port; }

private:
    TempDir m_dir;
    std::ostringstream m_sink;
    ecsbox::util::Logger m_log{m_sink, ecsbox::util::LogLevel::error};
    int m_port;
    std::unique_ptr<App> m_app;
    std::thread m_thread;
};

}  // namespace

TEST_CASE("a port already in use is a start-up error naming the address", "[emulator][app]") {
    TempDir dir;
    Listener taken;
    std::ostringstream sink;
    ecsbox::util::Logger log(sink, ecsbox::util::LogLevel::error);
    CHECK_THROWS_WITH(App(config_for(dir.path(), taken.port()), log),
                      Catch::StartsWith("cannot listen on 127.0.0.1:" + std::to_string(taken.port())) &&
                          Catch::Contains("in use"));
}

TEST_CASE("a data directory that cannot be created is a start-up error", "[emulator][app]") {
    TempDir dir;
    const auto file = dir.path() + "/a-file";
    std::ofstream(file) << "not a directory";
    std::ostringstream sink;
    ecsbox::util::Logger log(sink, ecsbox::util::LogLevel::error);
    CHECK_THROWS_AS(App(config_for(file + "/data", 0), log), StartupError);
    CHECK_THROWS_WITH(App(config_for(file + "/data", 0), log), Catch::Contains("cannot create data directory"));
}

TEST_CASE("a data directory written by a newer ecsbox is refused untouched", "[emulator][app]") {
    TempDir dir;
    {
        ecsbox::store::Database db(dir.path() + "/ecsbox.db");
        db.exec("PRAGMA user_version = 9999");
    }
    std::ostringstream sink;
    ecsbox::util::Logger log(sink, ecsbox::util::LogLevel::error);
    CHECK_THROWS_WITH(App(config_for(dir.path(), 0), log), Catch::Contains("newer ecsbox"));
    ecsbox::store::Database db(dir.path() + "/ecsbox.db");
    auto guard = db.lock();
    auto query = db.prepare("PRAGMA user_version");
    query->step();
    CHECK(query->int64(0) == 9999);
}

TEST_CASE("an App binds, serves and stops on request", "[emulator][app]") {
    TempDir dir;
    std::ostringstream sink;
    ecsbox::util::Logger log(sink, ecsbox::util::LogLevel::info);
    App app(config_for(dir.path(), 0), log);
    std::thread server([&] { app.run(); });
    app.stop();
    server.join();
    CHECK_THAT(sink.str(), Catch::Contains("listening on http://127.0.0.1:"));
}

TEST_CASE("over HTTP, a body above the limit and an unknown path get AWS-shaped errors", "[emulator][app]") {
    ServingApp app;
    httplib::Client client("127.0.0.1", app.port());
    const httplib::Headers target = {{"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.CreateCluster"}};
    const auto huge = client.Post("/", target, std::string(ecsbox::k_max_request_body + 1, ' '), "application/x-amz-json-1.1");
    REQUIRE(huge);
    CHECK(huge->status == 413);
    CHECK(nlohmann::json::parse(huge->body)["__type"] == "RequestEntityTooLargeException");
    CHECK(huge->has_header("x-amzn-RequestId"));

    const auto lost = client.Get("/nowhere");
    REQUIRE(lost);
    CHECK(lost->status == 400);
    CHECK(nlohmann::json::parse(lost->body)["__type"] == "UnknownOperationException");

    const auto ok = client.Post("/", target, R"({"clusterName": "over-http"})", "application/x-amz-json-1.1");
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE("over HTTP, ECR answers on the same port and names the registry by localhost", "[emulator][app]") {
    ServingApp app("none");
    const int port = app.port();
    httplib::Client client("127.0.0.1", port);
    const httplib::Headers target = {{"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.CreateRepository"}};
    const auto created = client.Post("/", target, R"({"repositoryName": "team/app"})", "application/x-amz-json-1.1");
    REQUIRE(created);
    CHECK(created->status == 200);
    CHECK(nlohmann::json::parse(created->body)["repository"]["repositoryUri"] ==
          "localhost:" + std::to_string(port) + "/team/app");
}

TEST_CASE("over HTTP, /_ecsbox/health reports readiness and /_ecsbox/reset empties ecsbox", "[emulator][app]") {
    ServingApp app("none");
    const int port = app.port();
    httplib::Client client("127.0.0.1", port);
    const auto health = client.Get("/_ecsbox/health");
    REQUIRE(health);
    CHECK(health->status == 200);
    const auto status = nlohmann::json::parse(health->body);
    CHECK(status["version"] == ECSBOX_VERSION);
    CHECK(status["runtime"] == "none");
    CHECK(status["engineConnected"].is_boolean());

    const auto ecs = [&](const std::string& operation, const std::string& body) {
        const httplib::Headers target = {{"X-Amz-Target", "AmazonEC2ContainerServiceV20141113." + operation}};
        return client.Post("/", target, body, "application/x-amz-json-1.1");
    };
    REQUIRE(ecs("CreateCluster", R"({"clusterName": "c"})")->status == 200);
    REQUIRE(ecs("RegisterTaskDefinition", R"({"family": "f", "containerDefinitions": [{"name": "a", "image": "x", "memory": 64}]})")
                ->status == 200);
    REQUIRE(ecs("RunTask", R"({"cluster": "c", "taskDefinition": "f"})")->status == 200);
    const auto reset = client.Post("/_ecsbox/reset", "", "application/json");
    REQUIRE(reset);
    CHECK(reset->status == 200);
    CHECK(nlohmann::json::parse(ecs("ListClusters", "{}")->body)["clusterArns"].empty());
    CHECK(nlohmann::json::parse(ecs("ListTaskDefinitions", "{}")->body)["taskDefinitionArns"].empty());
    // The same names can be used again at once.
    CHECK(ecs("CreateCluster", R"({"clusterName": "c"})")->status == 200);
}

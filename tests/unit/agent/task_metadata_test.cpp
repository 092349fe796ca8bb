#include "agent/task_metadata.hpp"

#include <catch2/catch.hpp>

#include "support/task_harness.hpp"

using ecsbox::agent::TaskMetadata;
using ecsbox::testing::TaskHarness;
using nlohmann::json;

namespace {

constexpr const char* k_endpoint = "http://172.17.0.1:4566";

json two_container_definition() {
    return json::parse(R"({
        "family": "meta", "cpu": "512", "memory": "1024",
        "containerDefinitions": [
            {"name": "app", "image": "app:1", "cpu": 256, "memory": 512, "portMappings": [{"containerPort": 8080}],
             "environment": [{"name": "AWS_ENDPOINT_URL", "value": "http://elsewhere:1"},
                             {"name": "ECS_CONTAINER_METADATA_URI_V4", "value": "http://spoofed"}],
             "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "1m"}}},
            {"name": "sidecar", "image": "sidecar:1", "memory": 64}
        ]})");
}

std::string id_of(const json& task) {
    const auto arn = task["taskArn"].get<std::string>();
    return arn.substr(arn.rfind('/') + 1);
}

std::map<std::string, std::string> env_of(const json& config) {
    std::map<std::string, std::string> env;
    for (const auto& entry : config["Env"]) {
        const auto text = entry.get<std::string>();
        env[text.substr(0, text.find('='))] = text.substr(text.find('=') + 1);
    }
    return env;
}

}  // namespace

TEST_CASE("containers are told where their metadata and ecsbox's API are", "[agent][metadata]") {
    TaskHarness h(k_endpoint);
    h.register_definition(two_container_definition());
    const auto task = h.run("meta");
    h.settle();
    const auto app = env_of(*h.docker().created_config("ecsbox-" + id_of(task) + "-app"));
    // The agent's variable always names the container's own metadata; the definition's own
    // AWS_ENDPOINT_URL wins over ecsbox's.
    CHECK(app.at("ECS_CONTAINER_METADATA_URI_V4") == std::string(k_endpoint) + "/v4/ecsbox-" + id_of(task) + "-app");
    CHECK(app.at("AWS_ENDPOINT_URL") == "http://elsewhere:1");
    CHECK(app.at("AWS_REGION") == "us-east-1");
    const auto sidecar = env_of(*h.docker().created_config("ecsbox-" + id_of(task) + "-sidecar"));
    CHECK(sidecar.at("ECS_CONTAINER_METADATA_URI_V4") == std::string(k_endpoint) + "/v4/ecsbox-" + id_of(task) + "-sidecar");
    CHECK(sidecar.at("AWS_ENDPOINT_URL") == k_endpoint);
}

TEST_CASE("without an endpoint containers get no metadata variables", "[agent][metadata]") {
    TaskHarness h;
    h.register_definition(two_container_definition());
    const auto task = h.run("meta");
    h.settle();
    const auto env = env_of(*h.docker().created_config("ecsbox-" + id_of(task) + "-sidecar"));
    CHECK(env.count("ECS_CONTAINER_METADATA_URI_V4") == 0);
    CHECK(env.count("AWS_ENDPOINT_URL") == 0);
}

TEST_CASE("the container metadata describes the container as ECS and the engine know it", "[agent][metadata]") {
    TaskHarness h(k_endpoint);
    h.register_definition(two_container_definition());
    const auto task = h.run("meta");
    h.settle();
    const TaskMetadata metadata(h.ecs().store(), h.docker());

    const auto answer = metadata.get("ecsbox-" + id_of(task) + "-app", "");
    REQUIRE(answer.status == 200);
    const auto& c = answer.body;
    CHECK(c["Name"] == "app");
    CHECK(c["DockerName"] == "ecsbox-" + id_of(task) + "-app");
    CHECK(c["DockerId"] == h.container_id(task, "app"));
    CHECK(c["Image"] == "app:1");
    CHECK(c["ImageID"].get<std::string>().rfind("sha256:", 0) == 0);
    CHECK(c["KnownStatus"] == "RUNNING");
    CHECK(c["DesiredStatus"] == "RUNNING");
    CHECK(c["Limits"] == json{{"CPU", 256}, {"Memory", 512}});
    CHECK(c["Labels"]["com.amazonaws.ecs.task-arn"] == task["taskArn"]);
    CHECK(c["LogDriver"] == "json-file");
    CHECK(c["LogOptions"] == json{{"max-size", "1m"}});
    CHECK(c["Networks"][0]["NetworkMode"] == "bridge");
    CHECK(c["Networks"][0]["IPv4Addresses"].size() == 1);
    CHECK(c["Ports"][0]["ContainerPort"] == 8080);
    CHECK(c["Ports"][0]["HostPort"].get<int>() > 0);
    CHECK(c["StartedAt"].get<std::string>().back() == 'Z');
    CHECK(c["ContainerARN"].get<std::string>().find(":container/") != std::string::npos);
}

TEST_CASE("the task metadata lists the task and every container", "[agent][metadata]") {
    TaskHarness h(k_endpoint);
    h.register_definition(two_container_definition());
    const auto task = h.run("meta");
    h.settle();
    const TaskMetadata metadata(h.ecs().store(), h.docker());

    const auto answer = metadata.get("ecsbox-" + id_of(task) + "-sidecar", "/task");
    REQUIRE(answer.status == 200);
    const auto& t = answer.body;
    CHECK(t["TaskARN"] == task["taskArn"]);
    CHECK(t["Cluster"] == task["clusterArn"]);
    CHECK(t["Family"] == "meta");
    CHECK(t["Revision"] == "1");
    CHECK(t["KnownStatus"] == "RUNNING");
    CHECK(t["LaunchType"] == "EC2");
    CHECK(t["Limits"] == json{{"CPU", 0.5}, {"Memory", 1024}});
    CHECK(t["AvailabilityZone"] == "us-east-1a");
    CHECK_FALSE(t.contains("PullStartedAt"));  // both images were present: nothing was pulled
    REQUIRE(t["Containers"].size() == 2);
    CHECK(t["Containers"][1]["Name"] == "sidecar");
}

TEST_CASE("stats come from the engine, per container and per task", "[agent][metadata]") {
    TaskHarness h(k_endpoint);
    h.register_definition(two_container_definition());
    const auto task = h.run("meta");
    h.settle();
    const TaskMetadata metadata(h.ecs().store(), h.docker());

    const auto one = metadata.get("ecsbox-" + id_of(task) + "-app", "/stats");
    REQUIRE(one.status == 200);
    CHECK(one.body["id"] == h.container_id(task, "app"));
    CHECK(one.body["memory_stats"]["usage"].get<int>() > 0);

    const auto all = metadata.get("ecsbox-" + id_of(task) + "-app", "/task/stats");
    REQUIRE(all.status == 200);
    CHECK(all.body.size() == 2);
    CHECK(all.body.contains(h.container_id(task, "sidecar")));
}

TEST_CASE("metadata of unknown containers, tasks and paths is a 404", "[agent][metadata]") {
    TaskHarness h(k_endpoint);
    h.register_definition(two_container_definition());
    const auto task = h.run("meta");
    h.settle();
    const TaskMetadata metadata(h.ecs().store(), h.docker());
    CHECK(metadata.get("not-ours", "").status == 404);
    CHECK(metadata.get("ecsbox-" + std::string(32, 'a') + "-app", "").status == 404);
    CHECK(metadata.get("ecsbox-" + id_of(task) + "-nope", "").status == 404);
    CHECK(metadata.get("ecsbox-" + id_of(task) + "-app", "/other").status == 404);
}

#include <catch2/catch.hpp>

#include "ecs/task_definitions.hpp"
#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {

const std::string k_arn_prefix = "arn:aws:ecs:us-east-1:123456789012:task-definition/";

json minimal(const std::string& family) {
    return {{"family", family}, {"containerDefinitions", {{{"name", "app"}, {"image", "busybox"}, {"memory", 64}}}}};
}

// True when every member of `subset` is in `whole` with the same value, recursively; lists
// must match element by element.
bool contains_all(const json& whole, const json& subset) {
    if (subset.is_object()) {
        if (!whole.is_object()) return false;
        for (const auto& [key, value] : subset.items())
            if (!whole.contains(key) || !contains_all(whole[key], value)) return false;
        return true;
    }
    if (subset.is_array()) {
        if (!whole.is_array() || whole.size() != subset.size()) return false;
        for (std::size_t i = 0; i < subset.size(); ++i)
            if (!contains_all(whole[i], subset[i])) return false;
        return true;
    }
    return whole == subset;
}

}  // namespace

TEST_CASE("RegisterTaskDefinition numbers revisions per family from 1", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    const auto first = ecs.ok("RegisterTaskDefinition", minimal("web"))["taskDefinition"];
    const auto second = ecs.ok("RegisterTaskDefinition", minimal("web"))["taskDefinition"];
    const auto other = ecs.ok("RegisterTaskDefinition", minimal("worker"))["taskDefinition"];
    CHECK(first["revision"] == 1);
    CHECK(second["revision"] == 2);
    CHECK(other["revision"] == 1);
    CHECK(second["taskDefinitionArn"] == k_arn_prefix + "web:2");
    CHECK(first["status"] == "ACTIVE");
    CHECK(first["registeredBy"] == "arn:aws:iam::123456789012:root");
    CHECK(first["registeredAt"] == ecs.clock().now());
}

TEST_CASE("a registered definition round-trips every field, with ECS's defaults added", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    const json request = json::parse(R"({
        "family": "full",
        "taskRoleArn": "arn:aws:iam::123456789012:role/app",
        "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
        "networkMode": "bridge",
        "containerDefinitions": [
          {"name": "web", "image": "nginx:1.25", "cpu": 256, "memory": 512, "memoryReservation": 256,
           "portMappings": [{"containerPort": 80, "hostPort": 0}],
           "essential": true,
           "environment": [{"name": "MODE", "value": "prod"}],
           "secrets": [{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}],
           "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": false}],
           "healthCheck": {"command": ["CMD-SHELL", "wget -q -O- localhost"], "interval": 10, "retries": 3},
           "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}],
           "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
           "linuxParameters": {"initProcessEnabled": true, "capabilities": {"add": ["NET_ADMIN"]}},
           "logConfiguration": {"logDriver": "json-file", "options": {"max-size": "10m"}},
           "dockerLabels": {"team": "web"},
           "stopTimeout": 20},
          {"name": "init", "image": "busybox", "memory": 32, "essential": false, "command": ["true"]}
        ],
        "volumes": [{"name": "data", "host": {"sourcePath": "/srv/data"}}],
        "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
        "pidMode": "task",
        "ipcMode": "none"
    })");
    const auto registered = ecs.ok("RegisterTaskDefinition", request)["taskDefinition"];
    CHECK(contains_all(registered, request));

    const auto& init = registered["containerDefinitions"][1];
    CHECK(init["cpu"] == 0);
    CHECK(init["portMappings"] == json::array());
    CHECK(init["environment"] == json::array());
    CHECK(init["mountPoints"] == json::array());
    CHECK(init["volumesFrom"] == json::array());
    CHECK(registered["containerDefinitions"][0]["portMappings"][0]["protocol"] == "tcp");
    CHECK(registered["compatibilities"] == json::array({"EXTERNAL", "EC2"}));

    const auto described = ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "full"}})["taskDefinition"];
    CHECK(described == registered);
    ecs.reopen();
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "full:1"}})["taskDefinition"] == registered);
}

TEST_CASE("requiresAttributes lists the capabilities a definition needs", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    json request = minimal("attrs");
    request["taskRoleArn"] = "arn:aws:iam::123456789012:role/app";
    request["containerDefinitions"][0]["healthCheck"] = {{"command", {"CMD", "true"}}};
    request["containerDefinitions"][0]["logConfiguration"] = {{"logDriver", "awslogs"}};
    const auto attrs = ecs.ok("RegisterTaskDefinition", request)["taskDefinition"]["requiresAttributes"];
    const auto has = [&](const std::string& name) {
        return std::any_of(attrs.begin(), attrs.end(), [&](const json& a) { return a["name"] == name; });
    };
    CHECK(has("com.amazonaws.ecs.capability.task-iam-role"));
    CHECK(has("ecs.capability.container-health-check"));
    CHECK(has("com.amazonaws.ecs.capability.logging-driver.awslogs"));
    CHECK_FALSE(has("ecs.capability.task-eni"));
}

TEST_CASE("a Fargate definition is checked and marked FARGATE-compatible", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    json fargate = {{"family", "api"},
                    {"requiresCompatibilities", {"FARGATE"}},
                    {"networkMode", "awsvpc"},
                    {"cpu", ".25 vCPU"},
                    {"memory", "0.5 GB"},
                    {"containerDefinitions", {{{"name", "api"}, {"image", "api"}, {"portMappings", {{{"containerPort", 8080}}}}}}}};
    const auto td = ecs.ok("RegisterTaskDefinition", fargate)["taskDefinition"];
    CHECK(td["cpu"] == "256");
    CHECK(td["memory"] == "512");
    CHECK(td["compatibilities"] == json::array({"EC2", "FARGATE"}));
    CHECK(td["containerDefinitions"][0]["portMappings"][0]["hostPort"] == 8080);

    auto bad_size = fargate;
    bad_size["memory"] = "4096";
    const auto size_error = ecs.call("RegisterTaskDefinition", bad_size);
    CHECK(size_error.error_code() == "ClientException");
    CHECK_THAT(size_error.message(), Catch::Contains("No Fargate configuration exists for given values: 256 CPU, 4096 memory"));

    auto bridge = fargate;
    bridge["networkMode"] = "bridge";
    CHECK_THAT(ecs.call("RegisterTaskDefinition", bridge).message(), Catch::Contains("awsvpc"));

    auto no_cpu = fargate;
    no_cpu.erase("cpu");
    CHECK(ecs.call("RegisterTaskDefinition", no_cpu).error_code() == "ClientException");
}

TEST_CASE("definitions ECS would refuse are refused with ClientException", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    const auto refuse = [&](json request, const std::string& message_part) {
        const auto reply = ecs.call("RegisterTaskDefinition", request);
        INFO(request.dump());
        CHECK(reply.error_code() == "ClientException");
        CHECK_THAT(reply.message(), Catch::Contains(message_part));
    };
    refuse({{"family", "f"}, {"containerDefinitions", json::array()}}, "Container list cannot be empty");
    refuse({{"family", "bad family"}, {"containerDefinitions", minimal("f")["containerDefinitions"]}}, "Family");
    refuse({{"family", "f"}, {"containerDefinitions", {{{"image", "x"}, {"memory", 64}}}}}, "Container.name");
    refuse({{"family", "f"}, {"containerDefinitions", {{{"name", "a"}, {"memory", 64}}}}}, "Container.image");
    refuse({{"family", "f"}, {"containerDefinitions", {{{"name", "a"}, {"image", "x"}}}}},
           "At least one of 'memory' or 'memoryReservation'");
    refuse({{"family", "f"}, {"containerDefinitions", {{{"name", "a"}, {"image", "x"}, {"memory", 4}}}}}, "too low");
    refuse({{"family", "f"},
            {"containerDefinitions", {{{"name", "a"}, {"image", "x"}, {"memory", 64}}, {{"name", "a"}, {"image", "y"}, {"memory", 64}}}}},
           "Duplicate container name");
    refuse({{"family", "f"},
            {"containerDefinitions", {{{"name", "a"}, {"image", "x"}, {"memory", 64}, {"dependsOn", {{{"containerName", "b"}, {"condition", "START"}}}}}}}},
           "depends on container 'b'");
    refuse({{"family", "f"},
            {"containerDefinitions", {{{"name", "a"}, {"image", "x"}, {"memory", 64}, {"mountPoints", {{{"sourceVolume", "v"}, {"containerPath", "/v"}}}}}}}},
           "sourceVolume");
    refuse({{"family", "f"},
            {"networkMode", "awsvpc"},
            {"containerDefinitions", {{{"name", "a"}, {"image", "x"}, {"memory", 64}, {"portMappings", {{{"containerPort", 80}, {"hostPort", 81}}}}}}}},
           "must match");
    refuse({{"family", "f"}, {"cpu", "lots"}, {"containerDefinitions", minimal("f")["containerDefinitions"]}}, "cpu");
    const auto with_ports = [](json mapping, const char* network_mode = "bridge") {
        return json{{"family", "f"}, {"networkMode", network_mode},
                    {"containerDefinitions", {{{"name", "a"}, {"image", "x"}, {"memory", 64}, {"portMappings", {mapping}}}}}};
    };
    refuse(with_ports({{"containerPort", 80}, {"containerPortRange", "80-90"}}), "either containerPort or containerPortRange");
    refuse(with_ports({{"protocol", "tcp"}}), "either containerPort or containerPortRange");
    refuse(with_ports({{"containerPortRange", "90-80"}}), "Invalid containerPortRange");
    refuse(with_ports({{"containerPortRange", "80-70000"}}), "Invalid containerPortRange");
    refuse(with_ports({{"containerPortRange", "80-90"}, {"hostPort", 80}}), "hostPort cannot be set");
    refuse(with_ports({{"containerPortRange", "80-90"}}, "host"), "bridge and awsvpc");
    CHECK(ecs.ok("ListTaskDefinitionFamilies")["families"].empty());
}

TEST_CASE("DescribeTaskDefinition finds by family, family:revision and ARN", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("RegisterTaskDefinition", minimal("svc"));
    ecs.ok("RegisterTaskDefinition", minimal("svc"));
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "svc"}})["taskDefinition"]["revision"] == 2);
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "svc:1"}})["taskDefinition"]["revision"] == 1);
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", k_arn_prefix + "svc:2"}})["taskDefinition"]["revision"] == 2);
    for (const char* missing : {"svc:3", "nope", "svc:0", "svc:x", "arn:aws:ecs:eu-west-1:123456789012:task-definition/svc:1"}) {
        INFO(missing);
        const auto reply = ecs.call("DescribeTaskDefinition", {{"taskDefinition", missing}});
        CHECK(reply.error_code() == "ClientException");
        CHECK(reply.message() == "Unable to describe task definition.");
    }
}

TEST_CASE("a bare family describes its newest ACTIVE revision", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("RegisterTaskDefinition", minimal("f"));
    ecs.ok("RegisterTaskDefinition", minimal("f"));
    ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", "f:2"}});
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "f"}})["taskDefinition"]["revision"] == 1);
    ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", "f:1"}});
    CHECK(ecs.call("DescribeTaskDefinition", {{"taskDefinition", "f"}}).error_code() == "ClientException");
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "f:1"}})["taskDefinition"]["status"] == "INACTIVE");
}

TEST_CASE("tags given at registration are listed with include TAGS", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    auto request = minimal("tagged");
    request["tags"] = {{{"key", "env"}, {"value", "test"}}};
    const auto out = ecs.ok("RegisterTaskDefinition", request);
    CHECK(out["tags"] == request["tags"]);
    CHECK_FALSE(out["taskDefinition"].contains("tags"));
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "tagged"}, {"include", {"TAGS"}}})["tags"] == request["tags"]);
    CHECK_FALSE(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "tagged"}}).contains("tags"));
}

TEST_CASE("ListTaskDefinitions filters by family and status, sorts and pages", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    for (int i = 0; i < 3; ++i) ecs.ok("RegisterTaskDefinition", minimal("b"));
    for (int i = 0; i < 2; ++i) ecs.ok("RegisterTaskDefinition", minimal("a"));
    ecs.ok("RegisterTaskDefinition", minimal("ab"));
    ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", "b:2"}});

    const auto all = ecs.ok("ListTaskDefinitions")["taskDefinitionArns"];
    CHECK(all == json::array({k_arn_prefix + "a:1", k_arn_prefix + "a:2", k_arn_prefix + "ab:1", k_arn_prefix + "b:1",
                              k_arn_prefix + "b:3"}));
    CHECK(ecs.ok("ListTaskDefinitions", {{"familyPrefix", "a"}})["taskDefinitionArns"] ==
          json::array({k_arn_prefix + "a:1", k_arn_prefix + "a:2"}));
    CHECK(ecs.ok("ListTaskDefinitions", {{"status", "INACTIVE"}})["taskDefinitionArns"] ==
          json::array({k_arn_prefix + "b:2"}));
    CHECK(ecs.ok("ListTaskDefinitions", {{"familyPrefix", "b"}, {"sort", "DESC"}})["taskDefinitionArns"] ==
          json::array({k_arn_prefix + "b:3", k_arn_prefix + "b:1"}));

    for (const std::string sort : {"ASC", "DESC"}) {
        json input = {{"maxResults", 2}, {"sort", sort}};
        json seen = json::array();
        while (true) {
            const auto page = ecs.ok("ListTaskDefinitions", input);
            for (const auto& arn : page["taskDefinitionArns"]) seen.push_back(arn);
            if (!page.contains("nextToken")) break;
            input["nextToken"] = page["nextToken"];
        }
        auto expected = all;
        if (sort == "DESC") std::reverse(expected.begin(), expected.end());
        CHECK(seen == expected);
    }
}

TEST_CASE("ListTaskDefinitionFamilies filters by prefix and status", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    for (const char* family : {"web", "web-canary", "worker", "Web"}) ecs.ok("RegisterTaskDefinition", minimal(family));
    ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", "worker:1"}});
    CHECK(ecs.ok("ListTaskDefinitionFamilies")["families"] == json::array({"Web", "web", "web-canary", "worker"}));
    CHECK(ecs.ok("ListTaskDefinitionFamilies", {{"familyPrefix", "web"}})["families"] ==
          json::array({"web", "web-canary"}));
    CHECK(ecs.ok("ListTaskDefinitionFamilies", {{"status", "ACTIVE"}})["families"] ==
          json::array({"Web", "web", "web-canary"}));
    CHECK(ecs.ok("ListTaskDefinitionFamilies", {{"status", "INACTIVE"}})["families"] == json::array({"worker"}));
    const auto page = ecs.ok("ListTaskDefinitionFamilies", {{"maxResults", 3}});
    CHECK(page["families"].size() == 3);
    const auto rest = ecs.ok("ListTaskDefinitionFamilies", {{"maxResults", 3}, {"nextToken", page["nextToken"]}});
    CHECK(rest["families"] == json::array({"worker"}));
    CHECK_FALSE(rest.contains("nextToken"));
}

TEST_CASE("DeregisterTaskDefinition needs a revision and marks it INACTIVE", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("RegisterTaskDefinition", minimal("d"));
    ecs.clock().advance(5);
    const auto td = ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", k_arn_prefix + "d:1"}})["taskDefinition"];
    CHECK(td["status"] == "INACTIVE");
    CHECK(td["deregisteredAt"] == ecs.clock().now());
    CHECK(ecs.call("DeregisterTaskDefinition", {{"taskDefinition", "d"}}).error_code() == "ClientException");
    CHECK(ecs.call("DeregisterTaskDefinition", {{"taskDefinition", "d:9"}}).error_code() == "ClientException");
}

TEST_CASE("DeleteTaskDefinitions deletes INACTIVE revisions, then they are gone", "[ecs][task-definitions]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("RegisterTaskDefinition", minimal("x"));
    ecs.ok("RegisterTaskDefinition", minimal("x"));
    ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", "x:1"}});
    const auto out = ecs.ok("DeleteTaskDefinitions", {{"taskDefinitions", {"x:1", "x:2", "x:7"}}});
    REQUIRE(out["taskDefinitions"].size() == 1);
    CHECK(out["taskDefinitions"][0]["status"] == "DELETE_IN_PROGRESS");
    CHECK(out["taskDefinitions"][0]["deleteRequestedAt"] == ecs.clock().now());
    REQUIRE(out["failures"].size() == 2);
    CHECK(out["failures"][0]["arn"] == k_arn_prefix + "x:2");
    CHECK_THAT(out["failures"][0]["reason"].get<std::string>(), Catch::Contains("still in ACTIVE status"));
    CHECK(out["failures"][1]["arn"] == k_arn_prefix + "x:7");

    CHECK(ecs.ok("ListTaskDefinitions", {{"status", "DELETE_IN_PROGRESS"}})["taskDefinitionArns"] ==
          json::array({k_arn_prefix + "x:1"}));
    CHECK(ecs.ok("DescribeTaskDefinition", {{"taskDefinition", "x:1"}})["taskDefinition"]["status"] == "DELETE_IN_PROGRESS");

    CHECK(ecsbox::ecs::purge_deleted_task_definitions(ecs.ecs()) == 0);  // not yet: the delay has not passed
    ecs.clock().advance(31);
    CHECK(ecsbox::ecs::purge_deleted_task_definitions(ecs.ecs()) == 1);
    CHECK(ecs.call("DescribeTaskDefinition", {{"taskDefinition", "x:1"}}).error_code() == "ClientException");
    // The revision number is never handed out again.
    CHECK(ecs.ok("RegisterTaskDefinition", minimal("x"))["taskDefinition"]["revision"] == 3);
    CHECK(ecs.call("DeleteTaskDefinitions", {{"taskDefinitions", json::array()}}).error_code() == "InvalidParameterException");
}

#include <catch2/catch.hpp>

#include "ecs/tasks.hpp"
#include "support/task_harness.hpp"

using ecsbox::testing::TaskHarness;
using nlohmann::json;

namespace {

json small_definition(const std::string& family) {
    return {{"family", family}, {"containerDefinitions", {{{"name", "app"}, {"image", "app:1"}, {"memory", 16}}}}};
}

std::string local_instance(TaskHarness& h) {
    return h.ecs().ok("ListContainerInstances")["containerInstanceArns"][0];
}

}  // namespace

TEST_CASE("memberOf places a task only on an instance the expression matches", "[ecs][placement]") {
    TaskHarness h;
    h.register_definition(small_definition("web"));
    h.run("web");  // registers the local instance in the default cluster
    const auto instance = local_instance(h);
    h.ecs().ok("PutAttributes", {{"attributes", {{{"name", "stack"}, {"value", "prod"}, {"targetId", instance}}}}});

    const auto placed = h.ecs().ok("RunTask", {{"taskDefinition", "web"},
                                                {"placementConstraints", {{{"type", "memberOf"}, {"expression", "attribute:stack == prod"}}}}});
    CHECK(placed["tasks"].size() == 1);
    CHECK(placed["failures"].empty());

    const auto refused = h.ecs().ok("RunTask", {{"taskDefinition", "web"}, {"count", 2},
                                                 {"placementConstraints", {{{"type", "memberOf"}, {"expression", "attribute:stack == dev"}}}}});
    CHECK(refused["tasks"].empty());
    REQUIRE(refused["failures"].size() == 2);
    CHECK(refused["failures"][0] == json{{"arn", instance}, {"reason", "MemberOf"}});
}

TEST_CASE("the task definition's memberOf constraints apply to RunTask too", "[ecs][placement]") {
    TaskHarness h;
    auto definition = small_definition("gpu");
    definition["placementConstraints"] = {{{"type", "memberOf"}, {"expression", "attribute:gpu exists"}}};
    h.register_definition(definition);
    const auto out = h.ecs().ok("RunTask", {{"taskDefinition", "gpu"}});
    CHECK(out["tasks"].empty());
    CHECK(out["failures"][0]["reason"] == "MemberOf");
}

TEST_CASE("distinctInstance keeps a group's tasks on different instances", "[ecs][placement]") {
    TaskHarness h;
    h.register_definition(small_definition("solo"));
    const json constraint = {{{"type", "distinctInstance"}}};
    const auto out = h.ecs().ok("RunTask", {{"taskDefinition", "solo"}, {"count", 3}, {"placementConstraints", constraint}});
    CHECK(out["tasks"].size() == 1);  // one local instance
    CHECK(out["failures"].size() == 2);
    CHECK(out["failures"][0]["reason"] == "DistinctInstance");
    // The group already has a task on the only instance; another group does not.
    CHECK(h.ecs().ok("RunTask", {{"taskDefinition", "solo"}, {"placementConstraints", constraint}})["tasks"].empty());
    CHECK(h.ecs().ok("RunTask", {{"taskDefinition", "solo"}, {"group", "other"}, {"placementConstraints", constraint}})["tasks"].size() == 1);
}

TEST_CASE("stopping tasks no longer count for distinctInstance", "[ecs][placement]") {
    TaskHarness h;
    h.register_definition(small_definition("solo"));
    const json constraint = {{{"type", "distinctInstance"}}};
    const auto first = h.ecs().ok("RunTask", {{"taskDefinition", "solo"}, {"placementConstraints", constraint}})["tasks"][0];
    h.ecs().ok("StopTask", {{"task", first["taskArn"]}});
    CHECK(h.ecs().ok("RunTask", {{"taskDefinition", "solo"}, {"placementConstraints", constraint}})["tasks"].size() == 1);
}

TEST_CASE("placement constraints and strategies are checked as ECS checks them", "[ecs][placement]") {
    TaskHarness h;
    h.register_definition(small_definition("web"));
    const auto error = [&](json input) {
        input["taskDefinition"] = "web";
        const auto reply = h.ecs().call("RunTask", input);
        CHECK(reply.status == 400);
        CHECK(reply.error_code() == "InvalidParameterException");
        return reply.message();
    };
    CHECK_THAT(error({{"placementConstraints", {{{"type", "memberOf"}, {"expression", "color == red"}}}}}),
               Catch::Contains("not a subject"));
    CHECK_THAT(error({{"placementConstraints", {{{"type", "memberOf"}}}}}), Catch::Contains("needs an expression"));
    CHECK_THAT(error({{"placementConstraints", {{{"type", "distinctInstance"}, {"expression", "agentConnected == true"}}}}}),
               Catch::Contains("cannot have an expression"));
    CHECK_THAT(error({{"placementStrategy", {{{"type", "binpack"}, {"field", "disk"}}}}}), Catch::Contains("cpu or memory"));
    CHECK_THAT(error({{"placementStrategy", {{{"type", "spread"}}}}}), Catch::Contains("instanceId, host or attribute"));
    CHECK_THAT(error({{"placementStrategy", {{{"type", "random"}, {"field", "cpu"}}}}}), Catch::Contains("takes no field"));

    const json strategies = {{{"type", "spread"}, {"field", "attribute:ecs.availability-zone"}},
                             {{"type", "binpack"}, {"field", "memory"}}};
    CHECK(h.ecs().ok("RunTask", {{"taskDefinition", "web"}, {"placementStrategy", strategies}})["tasks"].size() == 1);
}

TEST_CASE("ListContainerInstances filters with the cluster query language", "[ecs][placement]") {
    TaskHarness h;
    h.register_definition(small_definition("web"));
    h.run("web");
    const auto instance = local_instance(h);
    h.ecs().ok("RegisterContainerInstance", json::object());
    CHECK(h.ecs().ok("ListContainerInstances")["containerInstanceArns"].size() == 2);
    const auto connected = h.ecs().ok("ListContainerInstances", {{"filter", "agentConnected == true"}});
    CHECK(connected["containerInstanceArns"] == json::array({instance}));
    const auto busy = h.ecs().ok("ListContainerInstances", {{"filter", "task:group == family:web"}, {"maxResults", 1}});
    CHECK(busy["containerInstanceArns"] == json::array({instance}));
    CHECK_FALSE(busy.contains("nextToken"));
    const auto bad = h.ecs().call("ListContainerInstances", {{"filter", "attribute:x =="}});
    CHECK(bad.error_code() == "InvalidParameterException");
}

TEST_CASE("RunTask with a clientToken it has seen answers as before and starts nothing", "[ecs][tasks]") {
    TaskHarness h;
    h.register_definition(small_definition("web"));
    const json request = {{"taskDefinition", "web"}, {"count", 2}, {"clientToken", "retry-1"}};
    const auto first = h.ecs().ok("RunTask", request);
    const auto again = h.ecs().ok("RunTask", request);
    CHECK(again == first);
    CHECK(h.ecs().ok("ListTasks")["taskArns"].size() == 2);

    auto changed = request;
    changed["count"] = 1;
    const auto reply = h.ecs().call("RunTask", changed);
    CHECK(reply.error_code() == "InvalidParameterException");
    CHECK_THAT(reply.message(), Catch::Contains("retry-1"));

    auto other = request;
    other["clientToken"] = "retry-2";
    CHECK(h.ecs().ok("RunTask", other)["tasks"].size() == 2);
    CHECK(h.ecs().ok("ListTasks")["taskArns"].size() == 4);
}

TEST_CASE("client tokens are forgotten with the tasks' retention", "[ecs][tasks]") {
    TaskHarness h;
    h.register_definition(small_definition("web"));
    const json request = {{"taskDefinition", "web"}, {"clientToken", "old"}};
    h.ecs().ok("RunTask", request);
    h.ecs().clock().advance(3601);
    ecsbox::ecs::purge_stopped_tasks(h.ecs().ecs());
    h.ecs().ok("RunTask", request);
    CHECK(h.ecs().ok("ListTasks")["taskArns"].size() == 2);
}

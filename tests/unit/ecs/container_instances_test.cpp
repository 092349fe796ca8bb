#include <catch2/catch.hpp>

#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {

// The reconciler's report of a 2-core, 4 GiB engine, as if it had probed one.
void engine_probed(ServiceHarness& ecs) {
    ecs.store().container_instances().put_engine({"local", "docker", 2048, 4096, "20.10.24", true, ecs.clock().now()});
}

// Runs one small task in `cluster`, which registers the local engine there; returns its instance ARN.
std::string local_instance(ServiceHarness& ecs, const std::string& cluster = "default") {
    ecs.ok("CreateCluster", {{"clusterName", cluster}});
    ecs.ok("RegisterTaskDefinition",
           {{"family", "tiny"}, {"containerDefinitions", {{{"name", "a"}, {"image", "busybox"}, {"memory", 512}, {"cpu", 256}}}}});
    const auto out = ecs.ok("RunTask", {{"cluster", cluster}, {"taskDefinition", "tiny"}});
    return out["tasks"][0]["containerInstanceArn"];
}

}  // namespace

TEST_CASE("the local engine is a container instance with registered and remaining resources", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    const auto arn = local_instance(ecs);
    CHECK(ecs.ok("ListContainerInstances")["containerInstanceArns"] == json::array({arn}));
    const auto out = ecs.ok("DescribeContainerInstances", {{"containerInstances", {arn, "0000"}}});
    REQUIRE(out["containerInstances"].size() == 1);
    CHECK(out["failures"][0]["reason"] == "MISSING");
    const auto& instance = out["containerInstances"][0];
    const auto resource = [](const json& list, const std::string& name) {
        for (const auto& r : list)
            if (r["name"] == name) return r["integerValue"].get<int>();
        return -1;
    };
    CHECK(resource(instance["registeredResources"], "CPU") == 2048);
    CHECK(resource(instance["registeredResources"], "MEMORY") == 4096);
    CHECK(resource(instance["remainingResources"], "CPU") == 2048 - 256);
    CHECK(resource(instance["remainingResources"], "MEMORY") == 4096 - 512);
    CHECK(instance["pendingTasksCount"] == 1);
    CHECK(instance["agentConnected"] == true);
    CHECK(instance["status"] == "ACTIVE");
    CHECK_FALSE(instance.contains("ecsboxLocalEngine"));
    CHECK(ecs.ok("DescribeClusters")["clusters"][0]["registeredContainerInstancesCount"] == 1);
}

TEST_CASE("work launched without a cluster goes to `default` only when it exists", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    ecs.ok("RegisterTaskDefinition",
           {{"family", "tiny"}, {"containerDefinitions", {{{"name", "a"}, {"image", "busybox"}, {"memory", 512}}}}});
    CHECK(ecs.call("RunTask", {{"taskDefinition", "tiny"}}).error_code() == "ClusterNotFoundException");
    CHECK(ecs.call("CreateService", {{"serviceName", "web"}, {"taskDefinition", "tiny"}, {"desiredCount", 1}})
              .error_code() == "ClusterNotFoundException");
    CHECK(ecs.ok("ListClusters")["clusterArns"].empty());
    ecs.ok("CreateCluster");
    CHECK(ecs.ok("RunTask", {{"taskDefinition", "tiny"}})["tasks"].size() == 1);
}

TEST_CASE("a DRAINING instance takes no new tasks until it is ACTIVE again", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    const auto arn = local_instance(ecs);
    const auto drained = ecs.ok("UpdateContainerInstancesState", {{"containerInstances", {arn}}, {"status", "DRAINING"}});
    CHECK(drained["containerInstances"][0]["status"] == "DRAINING");
    CHECK(ecs.call("RunTask", {{"taskDefinition", "tiny"}}).error_code() == "InvalidParameterException");
    CHECK(ecs.ok("StartTask", {{"taskDefinition", "tiny"}, {"containerInstances", {arn}}})["failures"][0]["reason"] == "DRAINING");
    ecs.ok("UpdateContainerInstancesState", {{"containerInstances", {arn}}, {"status", "ACTIVE"}});
    CHECK(ecs.ok("RunTask", {{"taskDefinition", "tiny"}})["tasks"].size() == 1);
}

TEST_CASE("StartTask places on the named instance; instances without an agent are refused", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    const auto local = local_instance(ecs);
    const auto registered = ecs.ok("RegisterContainerInstance",
                                   {{"totalResources", {{{"name", "CPU"}, {"type", "INTEGER"}, {"integerValue", 1024}}}}})
                                ["containerInstance"];
    CHECK(registered["agentConnected"] == false);
    const auto out = ecs.ok("StartTask", {{"taskDefinition", "tiny"}, {"containerInstances", {local, registered["containerInstanceArn"]}}});
    REQUIRE(out["tasks"].size() == 1);
    CHECK(out["tasks"][0]["containerInstanceArn"] == local);
    CHECK(out["failures"] == json::array({{{"arn", registered["containerInstanceArn"]}, {"reason", "AGENT"}}}));
}

TEST_CASE("attributes are put, listed with the built-in ones, and deleted", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    const auto arn = local_instance(ecs);
    ecs.ok("PutAttributes", {{"attributes", {{{"name", "stack"}, {"value", "blue"}, {"targetId", arn}},
                                              {{"name", "gpu"}, {"targetId", arn}}}}});
    const auto blue = ecs.ok("ListAttributes", {{"targetType", "container-instance"}, {"attributeName", "stack"}, {"attributeValue", "blue"}});
    CHECK(blue["attributes"] == json::array({{{"name", "stack"}, {"value", "blue"}, {"targetId", arn}, {"targetType", "container-instance"}}}));
    const auto all = ecs.ok("ListAttributes", {{"targetType", "container-instance"}})["attributes"];
    CHECK(std::any_of(all.begin(), all.end(), [](const json& a) { return a["name"] == "ecs.os-type"; }));
    const auto described = ecs.ok("DescribeContainerInstances", {{"containerInstances", {arn}}})["containerInstances"][0]["attributes"];
    CHECK(std::any_of(described.begin(), described.end(), [](const json& a) { return a["name"] == "gpu" && !a.contains("value"); }));
    ecs.ok("DeleteAttributes", {{"attributes", {{{"name", "stack"}, {"targetId", arn}}}}});
    CHECK(ecs.ok("ListAttributes", {{"targetType", "container-instance"}, {"attributeName", "stack"}})["attributes"].empty());
    CHECK(ecs.call("PutAttributes", {{"attributes", {{{"name", "bad name!"}, {"targetId", arn}}}}}).error_code() == "InvalidParameterException");
    CHECK(ecs.call("PutAttributes", {{"attributes", {{{"name", "x"}, {"targetId", "0123"}}}}}).error_code() == "TargetNotFoundException");
}

TEST_CASE("deregistering an instance with tasks needs force", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    const auto arn = local_instance(ecs);
    CHECK(ecs.call("DeregisterContainerInstance", {{"containerInstance", arn}}).error_code() == "InvalidParameterException");
    CHECK(ecs.ok("DeregisterContainerInstance", {{"containerInstance", arn}, {"force", true}})["containerInstance"]["status"] == "INACTIVE");
    CHECK(ecs.ok("ListContainerInstances")["containerInstanceArns"].empty());
}

TEST_CASE("RegisterContainerInstance takes only a container instance ARN of its cluster, never the local engine's", "[ecs][container-instances]") {
    ServiceHarness ecs{"ecs"};
    engine_probed(ecs);
    const auto local = local_instance(ecs);
    for (const std::string& arn : {std::string("not-an-arn"), std::string("arn:aws:ecs:us-east-1:123456789012:cluster/default"),
                                  std::string("arn:aws:ecs:us-east-1:123456789012:container-instance/other/abc"), local}) {
        INFO(arn);
        CHECK(ecs.call("RegisterContainerInstance", {{"containerInstanceArn", arn}}).error_code() == "InvalidParameterException");
    }
    const auto mine = "arn:aws:ecs:us-east-1:123456789012:container-instance/default/0123abcd";
    CHECK(ecs.ok("RegisterContainerInstance", {{"containerInstanceArn", mine}})["containerInstance"]["containerInstanceArn"] == mine);
    CHECK(ecs.ok("ListContainerInstances")["containerInstanceArns"].size() == 2);
}

#include <catch2/catch.hpp>

#include "docker/null_engine.hpp"
#include "scheduler/reconciler.hpp"
#include "support/task_harness.hpp"

using ecsbox::testing::ServiceHarness;
using ecsbox::testing::FakeDocker;
using ecsbox::testing::TaskHarness;
using nlohmann::json;

namespace {

json web_definition(const std::string& family = "web") {
    return {{"family", family},
            {"containerDefinitions",
             {{{"name", "app"}, {"image", "app:1"}, {"memory", 128}, {"portMappings", {{{"containerPort", 8080}}}}, {"stopTimeout", 7}}}}};
}

}  // namespace

TEST_CASE("a task goes PROVISIONING, PENDING, ACTIVATING, RUNNING with its container running", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto task = h.run("web");
    CHECK(task["lastStatus"] == "PROVISIONING");
    CHECK(task["desiredStatus"] == "RUNNING");
    const auto arn = task["taskArn"].get<std::string>();

    std::vector<std::string> seen;
    for (int i = 0; i < 5; ++i) {
        h.step();
        seen.push_back(h.describe(arn)["lastStatus"]);
    }
    CHECK(seen.front() == "PENDING");
    CHECK(std::find(seen.begin(), seen.end(), "RUNNING") != seen.end());

    const auto running = h.describe(arn);
    CHECK(running["lastStatus"] == "RUNNING");
    CHECK(running["startedAt"].is_number());
    CHECK(running["version"].get<int>() > task["version"].get<int>());
    const auto& container = running["containers"][0];
    CHECK(container["lastStatus"] == "RUNNING");
    CHECK(container["runtimeId"] == h.container_id(task, "app"));
    REQUIRE(container["networkBindings"].size() >= 1);
    CHECK(container["networkBindings"][0]["containerPort"] == 8080);
    CHECK(container["networkBindings"][0]["hostPort"].get<int>() > 0);
    CHECK(h.ecs().ok("ListTasks")["taskArns"] == json::array({arn}));
    const auto cluster = h.ecs().ok("DescribeClusters")["clusters"][0];
    CHECK(cluster["runningTasksCount"] == 1);
}

TEST_CASE("an essential container's exit stops the task with its exit code", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto task = h.run("web");
    h.settle();
    h.docker().exit(h.container_id(task, "app"), 3);
    h.settle();
    const auto stopped = h.describe(task["taskArn"]);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK(stopped["desiredStatus"] == "STOPPED");
    CHECK(stopped["stopCode"] == "EssentialContainerExited");
    CHECK(stopped["stoppedReason"] == "Essential container in task exited");
    CHECK(stopped["containers"][0]["exitCode"] == 3);
    CHECK(stopped["containers"][0]["lastStatus"] == "STOPPED");
    for (const char* field : {"stoppingAt", "executionStoppedAt", "stoppedAt"}) CHECK(stopped[field].is_number());
    CHECK(h.docker().running_count() == 0);
    CHECK(h.docker().created_names().size() == 1);
}

TEST_CASE("StopTask stops the containers with their stop timeout and keeps the task describable", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto task = h.run("web");
    h.settle();
    const auto id = h.container_id(task, "app");
    const auto stopping = h.ecs().ok("StopTask", {{"task", task["taskArn"]}, {"reason", "done here"}})["task"];
    CHECK(stopping["desiredStatus"] == "STOPPED");
    CHECK(stopping["stopCode"] == "UserInitiated");
    CHECK(stopping["stoppedReason"] == "done here");
    h.settle();
    const auto stopped = h.describe(task["taskArn"]);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK(h.docker().stop_timeouts(id) == std::vector<int>{7});
    CHECK(h.ecs().ok("ListTasks")["taskArns"].empty());
    CHECK(h.ecs().ok("ListTasks", {{"desiredStatus", "STOPPED"}})["taskArns"].size() == 1);
    CHECK(h.ecs().call("StopTask", {{"task", "0123456789abcdef0123456789abcdef"}}).error_code() == "InvalidParameterException");
}

TEST_CASE("an image that cannot be pulled stops the task with CannotPullContainerError", "[scheduler][tasks]") {
    TaskHarness h;
    h.docker().set_pull_error("pull access denied for nope, repository does not exist");
    auto def = web_definition("nopull");
    def["containerDefinitions"][0]["image"] = "nope:latest";
    h.register_definition(def);
    const auto task = h.run("nopull");
    h.settle();
    const auto stopped = h.describe(task["taskArn"]);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK(stopped["stopCode"] == "TaskFailedToStart");
    CHECK_THAT(stopped["stoppedReason"].get<std::string>(), Catch::StartsWith("CannotPullContainerError: pull access denied"));
    CHECK(stopped["pullStartedAt"].is_number());
    CHECK(h.docker().created_names().empty());
}

TEST_CASE("a missing image is pulled before the container is created", "[scheduler][tasks]") {
    TaskHarness h;
    h.docker().add_pullable("remote:2");
    auto def = web_definition("pulls");
    def["containerDefinitions"][0]["image"] = "remote:2";
    h.register_definition(def);
    const auto task = h.run("pulls");
    h.settle();
    const auto running = h.describe(task["taskArn"]);
    CHECK(running["lastStatus"] == "RUNNING");
    CHECK(h.docker().pulls() == std::vector<std::string>{"remote:2"});
    CHECK(running["pullStoppedAt"].get<double>() >= running["pullStartedAt"].get<double>());
    CHECK(running["containers"][0]["imageDigest"].get<std::string>().rfind("sha256:", 0) == 0);
}

TEST_CASE("dependsOn SUCCESS starts the app only after its init container exits 0", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition({{"family", "ordered"},
                           {"containerDefinitions",
                            {{{"name", "init"}, {"image", "sidecar:1"}, {"memory", 32}, {"essential", false}},
                             {{"name", "app"}, {"image", "app:1"}, {"memory", 64},
                              {"dependsOn", {{{"containerName", "init"}, {"condition", "SUCCESS"}}}}}}}});
    const auto task = h.run("ordered");
    h.settle();
    const auto waiting = h.describe(task["taskArn"]);
    CHECK(waiting["lastStatus"] == "ACTIVATING");
    CHECK(h.docker().running_count() == 1);  // init only
    h.docker().exit(h.container_id(task, "init"), 0);
    h.settle();
    const auto running = h.describe(task["taskArn"]);
    CHECK(running["lastStatus"] == "RUNNING");
    CHECK(running["containers"][0]["exitCode"] == 0);
    CHECK(running["containers"][1]["lastStatus"] == "RUNNING");
}

TEST_CASE("a dependency that fails stops the task before its dependent starts", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition({{"family", "badinit"},
                           {"containerDefinitions",
                            {{{"name", "init"}, {"image", "sidecar:1"}, {"memory", 32}, {"essential", false}},
                             {{"name", "app"}, {"image", "app:1"}, {"memory", 64},
                              {"dependsOn", {{{"containerName", "init"}, {"condition", "SUCCESS"}}}}}}}});
    const auto task = h.run("badinit");
    h.settle();
    h.docker().exit(h.container_id(task, "init"), 1);
    h.settle();
    const auto stopped = h.describe(task["taskArn"]);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK(stopped["stopCode"] == "TaskFailedToStart");
    CHECK_FALSE(stopped["containers"][1].contains("exitCode"));
}

TEST_CASE("health checks map to Docker's and the task's health follows its essential containers", "[scheduler][tasks]") {
    TaskHarness h;
    auto def = web_definition("healthy");
    def["containerDefinitions"][0]["healthCheck"] = {{"command", {"CMD-SHELL", "true"}}, {"interval", 5}};
    h.register_definition(def);
    const auto task = h.run("healthy");
    h.settle();
    const auto config = *h.docker().created_config("ecsbox-" + task["taskArn"].get<std::string>().substr(task["taskArn"].get<std::string>().rfind('/') + 1) + "-app");
    CHECK(config["Healthcheck"]["Test"] == json::array({"CMD-SHELL", "true"}));
    CHECK(config["Healthcheck"]["Interval"] == 5000000000LL);
    CHECK(config["Healthcheck"]["Retries"] == 3);
    CHECK(h.describe(task["taskArn"])["healthStatus"] == "UNKNOWN");
    h.docker().set_health(h.container_id(task, "app"), "healthy");
    h.settle();
    const auto healthy = h.describe(task["taskArn"]);
    CHECK(healthy["healthStatus"] == "HEALTHY");
    CHECK(healthy["containers"][0]["healthStatus"] == "HEALTHY");
}

TEST_CASE("tasks wait in PENDING while the engine is away and run when it returns", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    h.docker().set_reachable(false);
    CHECK_FALSE(h.reconciler().probe_engine());
    const auto task = h.run("web");
    h.settle();
    CHECK(h.describe(task["taskArn"])["lastStatus"] == "PENDING");
    h.docker().set_reachable(true);
    CHECK(h.reconciler().probe_engine());
    h.settle();
    CHECK(h.describe(task["taskArn"])["lastStatus"] == "RUNNING");
}

TEST_CASE("after a restart running containers are adopted, not duplicated", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto task = h.run("web");
    h.settle();
    const auto id = h.container_id(task, "app");
    h.restart();
    h.settle();
    const auto adopted = h.describe(task["taskArn"]);
    CHECK(adopted["lastStatus"] == "RUNNING");
    CHECK(adopted["containers"][0]["runtimeId"] == id);
    CHECK(h.docker().created_names().size() == 1);
}

TEST_CASE("a RUNNING task whose container vanished is stopped with a reason", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto task = h.run("web");
    h.settle();
    h.docker().remove_externally(h.container_id(task, "app"));
    h.settle();
    const auto stopped = h.describe(task["taskArn"]);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK_THAT(stopped["stoppedReason"].get<std::string>(), Catch::Contains("no longer exists"));
}

TEST_CASE("this installation's containers of unknown or stopped tasks are removed as orphans", "[scheduler][tasks]") {
    TaskHarness h;
    h.docker().add_image("stray:1");
    const std::string dead_task = "arn:aws:ecs:us-east-1:123456789012:task/default/dead";
    const auto ours = h.docker().create_container(
        "stray", {{"Image", "stray:1"},
                  {"Labels", {{"com.amazonaws.ecs.task-arn", dead_task}, {"ecsbox.installation", h.ecs().store().installation_id()}}}});
    // Another ecsbox sharing the engine owns this one: never ours to remove.
    h.docker().create_container("theirs", {{"Image", "stray:1"},
                                           {"Labels", {{"com.amazonaws.ecs.task-arn", dead_task}, {"ecsbox.installation", "another"}}}});
    h.docker().create_container("unrelated", {{"Image", "stray:1"}});
    h.reconciler().remove_orphans();
    CHECK_FALSE(h.docker().inspect_container(ours));
    CHECK(h.docker().id_of("theirs"));
    CHECK(h.docker().id_of("unrelated"));
}

TEST_CASE("RunTask places only what fits and reports the rest as RESOURCE failures", "[scheduler][tasks]") {
    TaskHarness h;
    auto def = web_definition("big");
    def["containerDefinitions"][0]["memory"] = 3072;  // the fake engine has 4 GiB
    h.register_definition(def);
    const auto out = h.ecs().ok("RunTask", {{"taskDefinition", "big"}, {"count", 2}});
    CHECK(out["tasks"].size() == 1);
    REQUIRE(out["failures"].size() == 1);
    CHECK(out["failures"][0]["reason"] == "RESOURCE:MEMORY");
    CHECK(h.ecs().ok("RunTask", {{"taskDefinition", "big"}})["failures"][0]["reason"] == "RESOURCE:MEMORY");
}

TEST_CASE("container definitions and overrides reach Docker's configuration", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(json::parse(R"({
        "family": "mapped",
        "volumes": [{"name": "data", "host": {"sourcePath": "/srv/data"}}, {"name": "scratch", "dockerVolumeConfiguration": {"scope": "task"}}],
        "containerDefinitions": [{
            "name": "app", "image": "app:1", "memory": 256, "memoryReservation": 128, "cpu": 512,
            "command": ["serve"], "entryPoint": ["/bin/app"], "user": "1000", "workingDirectory": "/srv",
            "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
            "portMappings": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 53, "protocol": "udp"},
                             {"containerPortRange": "9000-9002"}],
            "mountPoints": [{"sourceVolume": "data", "containerPath": "/data", "readOnly": true}, {"sourceVolume": "scratch", "containerPath": "/tmp/s"}],
            "ulimits": [{"name": "nofile", "softLimit": 1024, "hardLimit": 2048}],
            "linuxParameters": {"initProcessEnabled": true, "capabilities": {"add": ["NET_ADMIN"], "drop": ["MKNOD"]}},
            "extraHosts": [{"hostname": "db", "ipAddress": "10.0.0.5"}],
            "dockerLabels": {"team": "web"},
            "readonlyRootFilesystem": true, "privileged": true
        }]})"));
    const auto task = h.run("mapped", {{"overrides", {{"containerOverrides", {{{"name", "app"}, {"command", {"migrate"}},
                                                                               {"environment", {{{"name", "B"}, {"value", "3"}}}}}}}}}});
    h.settle();
    const auto task_id = task["taskArn"].get<std::string>().substr(task["taskArn"].get<std::string>().rfind('/') + 1);
    const auto config = *h.docker().created_config("ecsbox-" + task_id + "-app");
    CHECK(config["Image"] == "app:1");
    CHECK(config["Cmd"] == json::array({"migrate"}));
    CHECK(config["Entrypoint"] == json::array({"/bin/app"}));
    CHECK(config["Env"] == json::array({"AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1", "A=1", "B=3"}));
    CHECK(config["User"] == "1000");
    CHECK(config["Labels"]["com.amazonaws.ecs.task-arn"] == task["taskArn"]);
    CHECK(config["Labels"]["com.amazonaws.ecs.container-name"] == "app");
    CHECK(config["Labels"]["ecsbox.installation"] == h.ecs().store().installation_id());
    CHECK(config["Labels"]["com.amazonaws.ecs.task-definition-family"] == "mapped");
    CHECK(config["Labels"]["team"] == "web");
    const auto& host = config["HostConfig"];
    CHECK(host["Memory"] == 256LL * 1024 * 1024);
    CHECK(host["MemoryReservation"] == 128LL * 1024 * 1024);
    CHECK(host["CpuShares"] == 512);
    CHECK(host["PortBindings"]["80/tcp"][0]["HostPort"] == "8080");
    CHECK(host["PortBindings"]["53/udp"][0]["HostPort"] == "");
    for (const char* port : {"9000/tcp", "9001/tcp", "9002/tcp"}) {  // a range: each port on an ephemeral one
        CHECK(config["ExposedPorts"].contains(port));
        CHECK(host["PortBindings"][port][0]["HostPort"] == "");
    }
    CHECK(host["Binds"] == json::array({"/srv/data:/data:ro", "ecsbox-" + task_id + "-scratch:/tmp/s"}));
    CHECK(h.docker().volumes().count("ecsbox-" + task_id + "-scratch"));
    CHECK(host["Ulimits"] == json::array({{{"Name", "nofile"}, {"Soft", 1024}, {"Hard", 2048}}}));
    CHECK(host["Init"] == true);
    CHECK(host["CapAdd"] == json::array({"NET_ADMIN"}));
    CHECK(host["ExtraHosts"] == json::array({"db:10.0.0.5"}));
    CHECK(host["ReadonlyRootfs"] == true);
    CHECK(host["Privileged"] == true);

    h.ecs().ok("StopTask", {{"task", task["taskArn"]}});
    h.settle();
    CHECK_FALSE(h.docker().volumes().count("ecsbox-" + task_id + "-scratch"));  // the task's own volume goes with it
}

TEST_CASE("a task whose secrets cannot be resolved stops with ResourceInitializationError", "[scheduler][tasks]") {
    TaskHarness h;
    auto def = web_definition("secret");
    def["containerDefinitions"][0]["secrets"] = {{{"name", "DB"}, {"valueFrom", "arn:aws:ssm:us-east-1:123456789012:parameter/db"}}};
    h.register_definition(def);
    const auto task = h.run("secret");
    h.settle();
    const auto stopped = h.describe(task["taskArn"]);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK_THAT(stopped["stoppedReason"].get<std::string>(), Catch::StartsWith("ResourceInitializationError"));
}

TEST_CASE("a cluster with active tasks cannot be deleted", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    h.ecs().ok("CreateCluster", {{"clusterName", "busy"}});
    const auto out = h.ecs().ok("RunTask", {{"cluster", "busy"}, {"taskDefinition", "web"}});
    CHECK(h.ecs().call("DeleteCluster", {{"cluster", "busy"}}).error_code() == "ClusterContainsTasksException");
    h.ecs().ok("StopTask", {{"cluster", "busy"}, {"task", out["tasks"][0]["taskArn"]}});
    h.settle();
    CHECK(h.ecs().ok("DeleteCluster", {{"cluster", "busy"}})["cluster"]["status"] == "INACTIVE");
}

TEST_CASE("with --runtime none tasks reach RUNNING and stop on StopTask and the instance says so", "[scheduler][tasks]") {
    ServiceHarness ecs{"ecs"};
    ecsbox::docker::NullEngine engine(ecs.clock());
    std::ostringstream sink;
    ecsbox::util::Logger log(sink, ecsbox::util::LogLevel::error);
    ecsbox::scheduler::Reconciler reconciler(ecs.store(), engine, ecs.clock(), ecs.ids(), log, ecsbox::scheduler::ReconcilerOptions{"none"});
    REQUIRE(reconciler.probe_engine());
    ecs.ok("CreateCluster");
    ecs.ok("RegisterTaskDefinition", web_definition());
    const auto task = ecs.ok("RunTask", {{"taskDefinition", "web"}})["tasks"][0];
    const auto settle = [&] {
        for (int i = 0; i < 10; ++i) reconciler.reconcile_once();
    };
    settle();
    const auto running = ecs.ok("DescribeTasks", {{"tasks", {task["taskArn"]}}})["tasks"][0];
    CHECK(running["lastStatus"] == "RUNNING");
    CHECK(running["containers"][0]["lastStatus"] == "RUNNING");

    const auto instance = ecs.ok("DescribeContainerInstances", {{"containerInstances", {task["containerInstanceArn"]}}})
                              ["containerInstances"][0];
    CHECK(instance["versionInfo"]["dockerVersion"] == "none (--runtime none)");
    CHECK(std::any_of(instance["attributes"].begin(), instance["attributes"].end(),
                      [](const json& a) { return a["name"] == "ecsbox.runtime" && a["value"] == "none"; }));

    ecs.ok("StopTask", {{"task", task["taskArn"]}});
    settle();
    const auto stopped = ecs.ok("DescribeTasks", {{"tasks", {task["taskArn"]}}})["tasks"][0];
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK(stopped["containers"][0]["exitCode"] == 0);
    CHECK(engine.list_containers("com.amazonaws.ecs.task-arn").empty());
}

TEST_CASE("task-level cpu and memory overrides are read as ECS reads them, and nonsense is refused", "[scheduler][tasks]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto task = h.run("web", {{"overrides", {{"cpu", "0.5 vCPU"}, {"memory", "1 GB"}}}});
    CHECK(task["cpu"] == "512");
    CHECK(task["memory"] == "1024");
    for (const json& overrides : {json{{"cpu", "lots"}}, json{{"memory", "-5"}}, json{{"memory", ""}}}) {
        INFO(overrides.dump());
        const auto reply = h.ecs().call("RunTask", {{"taskDefinition", "web"}, {"overrides", overrides}});
        CHECK(reply.status == 400);
        CHECK(reply.error_code() == "InvalidParameterException");
    }
}

TEST_CASE("images of ecsbox's registry are pulled from it with credentials, and reported as named",
          "[scheduler][tasks]") {
    const std::string ecr_image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1";
    TaskHarness h("", [&](const std::string& image, const ecsbox::store::Scope& scope) {
        if (image != ecr_image) return ecsbox::scheduler::ImageSource{image, ""};
        return ecsbox::scheduler::ImageSource{"localhost:4566/web:1", "credentials-for-" + scope.region};
    });
    h.docker().add_pullable("localhost:4566/web:1");
    h.register_definition({{"family", "ecr"}, {"containerDefinitions", {{{"name", "app"}, {"image", ecr_image}, {"memory", 32}}}}});
    const auto task = h.run("ecr");
    h.settle();
    CHECK(h.docker().pulls() == std::vector<std::string>{"localhost:4566/web:1"});
    CHECK(h.docker().pull_auths() == std::vector<std::string>{"credentials-for-us-east-1"});
    const auto id = task["taskArn"].get<std::string>().substr(task["taskArn"].get<std::string>().rfind('/') + 1);
    CHECK((*h.docker().created_config("ecsbox-" + id + "-app"))["Image"] == "localhost:4566/web:1");
    const auto described = h.describe(task["taskArn"]);
    CHECK(described["lastStatus"] == "RUNNING");
    CHECK(described["containers"][0]["image"] == ecr_image);
}

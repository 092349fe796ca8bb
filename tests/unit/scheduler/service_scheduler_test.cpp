#include <catch2/catch.hpp>

#include "scheduler/deployments.hpp"
#include "scheduler/service_scheduler.hpp"
#include "support/task_harness.hpp"

using ecsbox::testing::TaskHarness;
using nlohmann::json;

namespace {

json web_definition(const std::string& image = "app:1", json extra = json::object()) {
    json container = {{"name", "app"}, {"image", image}, {"memory", 128}};
    for (auto& [k, v] : extra.items()) container[k] = v;
    return {{"family", "web"}, {"containerDefinitions", {container}}};
}

json create_service(TaskHarness& h, json extra = json::object()) {
    json input = {{"serviceName", "web"}, {"taskDefinition", "web"}, {"desiredCount", 3}};
    for (auto& [k, v] : extra.items()) input[k] = v;
    return h.ecs().ok("CreateService", input)["service"];
}

json describe_service(TaskHarness& h, const std::string& name = "web") {
    return h.ecs().ok("DescribeServices", {{"services", {name}}})["services"][0];
}

json update_service(TaskHarness& h, json input) {
    input["service"] = "web";
    return h.ecs().ok("UpdateService", input)["service"];
}

// The service's tasks as the store has them: not STOPPED, or stopped and not yet accounted for.
std::vector<ecsbox::store::TaskRecord> service_tasks(TaskHarness& h, const std::string& name = "web") {
    const auto cluster = h.ecs().ok("DescribeClusters")["clusters"][0]["clusterArn"].get<std::string>();
    return h.ecs().store().tasks().of_service(cluster, name);
}

std::vector<std::string> messages(const json& service) {
    std::vector<std::string> out;
    for (const auto& e : service["events"]) out.push_back(e["message"]);
    return out;
}

bool has_message(const json& service, const std::string& text) {
    const auto all = messages(service);
    return std::any_of(all.begin(), all.end(), [&](const auto& m) { return m.find(text) != std::string::npos; });
}

std::size_t running_on(TaskHarness& h, const std::string& task_definition_suffix) {
    std::size_t n = 0;
    for (const auto& t : service_tasks(h))
        if (t.last_status == "RUNNING" && t.desired_status == "RUNNING" &&
            t.task_definition_arn.size() >= task_definition_suffix.size() &&
            t.task_definition_arn.compare(t.task_definition_arn.size() - task_definition_suffix.size(),
                                          task_definition_suffix.size(), task_definition_suffix) == 0)
            ++n;
    return n;
}

// Settles, lets the tasks that run now count as healthy without health checks, settles again.
void settle_past_health_wait(TaskHarness& h) {
    h.settle();
    h.ecs().clock().advance(41);
    h.settle();
}

}  // namespace

TEST_CASE("a REPLICA service starts its desired count and reaches a steady state", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    const auto created = create_service(h);
    CHECK(created["status"] == "ACTIVE");
    CHECK(created["runningCount"] == 0);
    REQUIRE(created["deployments"].size() == 1);
    const auto deployment_id = created["deployments"][0]["id"].get<std::string>();
    CHECK(deployment_id.rfind("ecs-svc/", 0) == 0);
    CHECK(deployment_id.size() == 8 + 19);
    CHECK(created["deployments"][0]["rolloutState"] == "IN_PROGRESS");

    h.settle();
    const auto service = describe_service(h);
    CHECK(service["runningCount"] == 3);
    CHECK(service["pendingCount"] == 0);
    REQUIRE(service["deployments"].size() == 1);
    CHECK(service["deployments"][0]["rolloutState"] == "COMPLETED");
    CHECK(service["deployments"][0]["runningCount"] == 3);
    const auto events = messages(service);
    REQUIRE(events.size() == 3);
    CHECK(events[0] == "(service web) has reached a steady state.");
    CHECK(events[1] == "(service web) (deployment " + deployment_id + ") deployment completed.");
    CHECK(events[2].rfind("(service web) has started 3 tasks: (task ", 0) == 0);

    const auto arns = h.ecs().ok("ListTasks", {{"serviceName", "web"}})["taskArns"];
    REQUIRE(arns.size() == 3);
    for (const auto& arn : arns) {
        const auto task = h.describe(arn);
        CHECK(task["group"] == "service:web");
        CHECK(task["startedBy"] == deployment_id);
        CHECK(task["lastStatus"] == "RUNNING");
        CHECK(events[2].find(arn.get<std::string>().substr(arn.get<std::string>().rfind('/') + 1)) != std::string::npos);
    }
    const auto cluster = h.ecs().ok("DescribeClusters", {{"include", {"STATISTICS"}}})["clusters"][0];
    CHECK(cluster["activeServicesCount"] == 1);
    CHECK(h.ecs().call("DeleteCluster", {{"cluster", "default"}}).error_code() == "ClusterContainsServicesException");
}

TEST_CASE("counts always match the service's tasks, also half-way", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    create_service(h);
    for (int i = 0; i < 6; ++i) {
        h.step();
        const auto service = describe_service(h);
        std::int64_t running = 0, pending = 0;
        for (const auto& t : service_tasks(h)) {
            if (t.last_status == "RUNNING") ++running;
            else if (t.last_status != "STOPPED" && t.desired_status == "RUNNING") ++pending;
        }
        CHECK(service["runningCount"] == running);
        CHECK(service["pendingCount"] == pending);
        CHECK(service["deployments"][0]["runningCount"] == running);
    }
}

TEST_CASE("a task that stops for any reason is replaced at once with ECS's reasons", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    create_service(h);
    h.settle();
    const auto arns = h.ecs().ok("ListTasks", {{"serviceName", "web"}})["taskArns"];

    SECTION("its container exits") {
        h.docker().exit(h.container_id(h.describe(arns[0]), "app"), 137);
        h.settle();
        const auto stopped = h.describe(arns[0]);
        CHECK(stopped["lastStatus"] == "STOPPED");
        CHECK(stopped["stopCode"] == "EssentialContainerExited");
        const auto service = describe_service(h);
        CHECK(service["runningCount"] == 3);
        CHECK(service["deployments"][0]["failedTasks"] == 1);
        CHECK(messages(service)[0] == "(service web) has reached a steady state.");
        CHECK(messages(service)[1].rfind("(service web) has started 1 tasks: (task ", 0) == 0);
    }
    SECTION("StopTask stops it, which is no failure") {
        h.ecs().ok("StopTask", {{"task", arns[1]}});
        h.settle();
        const auto service = describe_service(h);
        CHECK(service["runningCount"] == 3);
        CHECK(service["deployments"][0]["failedTasks"] == 0);
        CHECK(h.describe(arns[1])["stoppedReason"] == "Task stopped by user");
        const auto now_running = h.ecs().ok("ListTasks", {{"serviceName", "web"}})["taskArns"];
        CHECK(std::find(now_running.begin(), now_running.end(), arns[1]) == now_running.end());
    }
}

TEST_CASE("rolling deployments stay within maximumPercent and minimumHealthyPercent at small counts",
          "[scheduler][services]") {
    const auto [desired, maximum, minimum] = GENERATE(table<int, int, int>({
        {1, 200, 100}, {2, 200, 100}, {3, 200, 100}, {4, 200, 100},
        {1, 100, 0}, {2, 100, 50}, {3, 100, 50}, {4, 100, 50},
        {3, 150, 50}, {4, 150, 75}, {3, 150, 100}, {4, 125, 100},
    }));
    CAPTURE(desired, maximum, minimum);
    TaskHarness h;
    h.docker().add_image("app:2");
    h.register_definition(web_definition());
    create_service(h, {{"desiredCount", desired},
                       {"deploymentConfiguration", {{"maximumPercent", maximum}, {"minimumHealthyPercent", minimum}}}});
    h.settle();
    REQUIRE(running_on(h, "web:1") == static_cast<std::size_t>(desired));
    h.register_definition(web_definition("app:2"));
    update_service(h, {{"taskDefinition", "web:2"}});

    const auto most = desired * maximum / 100;
    const auto least = (desired * minimum + 99) / 100;
    bool done = false;
    for (int i = 0; i < 200 && !done; ++i) {
        h.step();
        h.ecs().clock().advance(5);  // tasks without health checks count as healthy after 40 s
        std::int64_t occupying = 0, serving = 0;
        for (const auto& t : service_tasks(h)) {
            if (t.last_status != "STOPPED") ++occupying;
            if (t.last_status == "RUNNING" && t.desired_status == "RUNNING") ++serving;
        }
        CHECK(occupying <= most);
        CHECK(serving >= least);
        const auto service = describe_service(h);
        done = service["deployments"].size() == 1 && service["deployments"][0]["rolloutState"] == "COMPLETED" &&
               running_on(h, "web:2") == static_cast<std::size_t>(desired);
    }
    CHECK(done);
    CHECK(running_on(h, "web:1") == 0);
    CHECK(describe_service(h)["taskDefinition"].get<std::string>().ends_with("web:2"));
}

TEST_CASE("a task without health checks counts towards the minimum only 40 s after it runs", "[scheduler][services]") {
    TaskHarness h;
    h.docker().add_image("app:2");
    h.register_definition(web_definition());
    create_service(h, {{"desiredCount", 2}});
    h.settle();
    h.ecs().clock().advance(100);
    h.register_definition(web_definition("app:2"));
    update_service(h, {{"taskDefinition", "web:2"}});
    h.settle();
    CHECK(running_on(h, "web:2") == 2);
    CHECK(running_on(h, "web:1") == 2);  // the old ones keep serving meanwhile
    h.ecs().clock().advance(39);
    h.settle();
    CHECK(running_on(h, "web:1") == 2);
    h.ecs().clock().advance(2);
    h.settle();
    CHECK(running_on(h, "web:1") == 0);
    CHECK(describe_service(h)["deployments"].size() == 1);
}

TEST_CASE("a newer UpdateService supersedes a deployment in progress", "[scheduler][services]") {
    TaskHarness h;
    h.docker().add_image("app:2");
    h.docker().add_image("app:3");
    h.register_definition(web_definition());
    create_service(h);
    h.settle();
    h.register_definition(web_definition("app:2"));
    h.register_definition(web_definition("app:3"));
    const auto second = update_service(h, {{"taskDefinition", "web:2"}});
    REQUIRE(second["deployments"].size() == 2);
    CHECK(second["deployments"][0]["status"] == "PRIMARY");
    CHECK(second["deployments"][1]["status"] == "ACTIVE");
    h.step();
    const auto third = update_service(h, {{"taskDefinition", "web:3"}});
    CHECK(third["deployments"].size() == 3);
    settle_past_health_wait(h);
    const auto service = describe_service(h);
    REQUIRE(service["deployments"].size() == 1);
    CHECK(service["deployments"][0]["taskDefinition"].get<std::string>().ends_with("web:3"));
    CHECK(running_on(h, "web:3") == 3);
    CHECK(service_tasks(h).size() == 3);
}

TEST_CASE("a desired count change alone makes no deployment; scale-in stops the newest first",
          "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    create_service(h);
    h.settle();
    std::vector<std::pair<double, std::string>> by_age;
    for (const auto& t : service_tasks(h)) by_age.emplace_back(t.created_at, t.arn);
    h.ecs().clock().advance(1);
    update_service(h, {{"desiredCount", 5}});
    h.settle();
    CHECK(describe_service(h)["runningCount"] == 5);
    CHECK(describe_service(h)["deployments"].size() == 1);
    update_service(h, {{"desiredCount", 3}});
    h.settle();
    const auto service = describe_service(h);
    CHECK(service["runningCount"] == 3);
    std::set<std::string> remaining;
    for (const auto& t : service_tasks(h))
        if (t.last_status != "STOPPED") remaining.insert(t.arn);
    for (const auto& [_, arn] : by_age) CHECK(remaining.count(arn) == 1);
    CHECK(messages(service)[1].rfind("(service web) has stopped 2 running tasks: ", 0) == 0);
    update_service(h, {{"desiredCount", 0}});
    h.settle();
    CHECK(describe_service(h)["runningCount"] == 0);
    CHECK(h.docker().running_count() == 0);
}

TEST_CASE("the circuit breaker fails a deployment whose tasks fail to start and rolls back", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    create_service(h, {{"deploymentConfiguration", {{"deploymentCircuitBreaker", {{"enable", true}, {"rollback", true}}}}}});
    h.settle();
    const auto first = describe_service(h)["deployments"][0]["id"].get<std::string>();
    h.register_definition(web_definition("missing:1"));  // its image can be neither found nor pulled
    const auto failing = update_service(h, {{"taskDefinition", "web:2"}})["deployments"][0]["id"].get<std::string>();
    for (int i = 0; i < 10; ++i) {
        h.settle();
        h.ecs().clock().advance(10);
    }
    const auto service = describe_service(h);
    CHECK(service["taskDefinition"].get<std::string>().ends_with("web:1"));
    REQUIRE(service["deployments"].size() == 1);
    CHECK(service["deployments"][0]["taskDefinition"].get<std::string>().ends_with("web:1"));
    CHECK(service["deployments"][0]["rolloutState"] == "COMPLETED");
    CHECK(service["deployments"][0]["id"] != first);
    CHECK(has_message(service, "(service web) deployment " + failing + " deployment failed: tasks failed to start."));
    CHECK(has_message(service, "(service web) rolling back to deployment " + first + "."));
    CHECK(running_on(h, "web:1") == 3);

    const auto deployments = h.ecs().ok("ListServiceDeployments", {{"service", "web"}})["serviceDeployments"];
    REQUIRE(deployments.size() == 3);
    const auto failed = std::find_if(deployments.begin(), deployments.end(), [&](const json& d) {
        return d["targetServiceRevisionArn"].get<std::string>().ends_with(failing.substr(8));
    });
    REQUIRE(failed != deployments.end());
    CHECK((*failed)["status"] == "ROLLBACK_SUCCESSFUL");
    const auto detail = h.ecs().ok("DescribeServiceDeployments", {{"serviceDeploymentArns", {(*failed)["serviceDeploymentArn"]}}});
    CHECK(detail["serviceDeployments"][0]["deploymentCircuitBreaker"]["status"] == "TRIGGERED");
    CHECK(detail["serviceDeployments"][0]["deploymentCircuitBreaker"]["threshold"] == 3);
    CHECK(detail["serviceDeployments"][0]["rollback"]["serviceRevisionArn"].get<std::string>().ends_with(first.substr(8)));
}

TEST_CASE("without rollback a failed deployment launches nothing more", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    create_service(h, {{"deploymentConfiguration", {{"deploymentCircuitBreaker", {{"enable", true}, {"rollback", false}}}}}});
    h.settle();
    h.register_definition(web_definition("missing:1"));
    update_service(h, {{"taskDefinition", "web:2"}});
    for (int i = 0; i < 10; ++i) {
        h.settle();
        h.ecs().clock().advance(10);
    }
    const auto service = describe_service(h);
    CHECK(service["deployments"][0]["rolloutState"] == "FAILED");
    CHECK(service["deployments"][0]["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start.");
    CHECK(service["deployments"][0]["failedTasks"] == 3);
    CHECK(running_on(h, "web:1") == 3);  // the old tasks keep serving
}

TEST_CASE("tasks that keep failing to start are retried with a growing back-off", "[scheduler][services]") {
    CHECK(ecsbox::scheduler::launch_backoff_seconds(1) == 0);
    CHECK(ecsbox::scheduler::launch_backoff_seconds(2) == 0);
    CHECK(ecsbox::scheduler::launch_backoff_seconds(3) == 5);
    CHECK(ecsbox::scheduler::launch_backoff_seconds(4) == 10);
    CHECK(ecsbox::scheduler::launch_backoff_seconds(100) == 300);

    TaskHarness h;
    h.register_definition(web_definition("missing:1"));
    create_service(h, {{"desiredCount", 1}});
    const auto started = [&] {
        return h.ecs().ok("ListTasks", {{"serviceName", "web"}, {"desiredStatus", "STOPPED"}})["taskArns"].size() +
               h.ecs().ok("ListTasks", {{"serviceName", "web"}})["taskArns"].size();
    };
    h.settle();
    CHECK(started() == 3);  // three tries in a row, then a pause
    h.settle();
    CHECK(started() == 3);
    CHECK(has_message(describe_service(h), "(service web) is unable to consistently start tasks successfully."));
    h.ecs().clock().advance(5);
    h.settle();
    CHECK(started() == 4);
    h.ecs().clock().advance(5);
    h.settle();
    CHECK(started() == 4);  // now 10 s
    h.ecs().clock().advance(5);
    h.settle();
    CHECK(started() == 5);
}

TEST_CASE("the circuit breaker's threshold is half the desired count, within 3 and 200", "[scheduler][services]") {
    using ecsbox::scheduler::circuit_breaker_threshold;
    CHECK(circuit_breaker_threshold(1, json::object()) == 3);
    CHECK(circuit_breaker_threshold(10, json::object()) == 5);
    CHECK(circuit_breaker_threshold(11, json::object()) == 6);
    CHECK(circuit_breaker_threshold(1000, json::object()) == 200);
    CHECK(circuit_breaker_threshold(10, {{"thresholdConfiguration", {{"type", "COUNT"}, {"value", 7}}}}) == 7);
    CHECK(circuit_breaker_threshold(1000, {{"thresholdConfiguration", {{"type", "UNBOUNDED_PERCENT"}, {"value", 100}}}}) ==
          1000);
}

TEST_CASE("tasks failing their container health checks are replaced after the grace period", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition("app:1", {{"healthCheck", {{"command", {"CMD", "true"}}}}}));
    create_service(h, {{"desiredCount", 1}, {"healthCheckGracePeriodSeconds", 30}});
    h.settle();
    const auto arn = h.ecs().ok("ListTasks", {{"serviceName", "web"}})["taskArns"][0];
    CHECK(describe_service(h)["deployments"][0]["rolloutState"] == "IN_PROGRESS");  // not healthy yet
    h.docker().set_health(h.container_id(h.describe(arn), "app"), "healthy");
    h.settle();
    CHECK(describe_service(h)["deployments"][0]["rolloutState"] == "COMPLETED");

    h.docker().set_health(h.container_id(h.describe(arn), "app"), "unhealthy");
    h.settle();
    CHECK(h.describe(arn)["lastStatus"] == "RUNNING");  // within the grace period
    h.ecs().clock().advance(31);
    h.settle();
    const auto stopped = h.describe(arn);
    CHECK(stopped["lastStatus"] == "STOPPED");
    CHECK(stopped["stoppedReason"] == "Task failed container health checks");
    const auto service = describe_service(h);
    CHECK(h.ecs().ok("ListTasks", {{"serviceName", "web"}})["taskArns"].size() == 1);
    CHECK(service["deployments"][0]["failedTasks"] == 1);
}

TEST_CASE("a task that cannot be placed is reported once with ECS's message", "[scheduler][services]") {
    TaskHarness h;
    h.simulate({2, {1024, 1024}});
    h.register_definition(web_definition("app:1", {{"memory", 1000}}));
    create_service(h, {{"desiredCount", 3}});
    h.settle();
    h.settle();
    const auto service = describe_service(h);
    CHECK(service["runningCount"] == 2);
    const auto all = messages(service);
    const auto unplaced = std::count_if(all.begin(), all.end(), [](const auto& m) {
        return m.find("was unable to place a task because no container instance met all of its requirements. "
                      "The closest matching (container-instance ") != std::string::npos &&
               m.find("has insufficient memory available.") != std::string::npos;
    });
    CHECK(unplaced == 1);
}

TEST_CASE("one step starts at most 1,000 tasks, and the next ones carry on", "[scheduler][services]") {
    TaskHarness h;
    h.simulate({10, {1024 * 1024, 1024 * 1024}});
    h.register_definition(web_definition());
    const auto arn = create_service(h, {{"desiredCount", 2500}})["serviceArn"].get<std::string>();
    std::ostringstream sink;
    ecsbox::util::Logger log(sink, ecsbox::util::LogLevel::error);
    ecsbox::scheduler::ServiceSchedulerDeps deps{h.ecs().store(), h.ecs().clock(), h.ecs().ids(), log, {10, {1024 * 1024, 1024 * 1024}}};
    CHECK(ecsbox::scheduler::step_service(deps, arn));
    CHECK(service_tasks(h).size() == 1000);
    ecsbox::scheduler::step_service(deps, arn);
    ecsbox::scheduler::step_service(deps, arn);
    CHECK(service_tasks(h).size() == 2500);
    ecsbox::scheduler::step_service(deps, arn);
    CHECK(service_tasks(h).size() == 2500);
}

TEST_CASE("a settled service scales in from the instance with the most of its tasks, newest first",
          "[scheduler][services]") {
    TaskHarness h;
    h.simulate({3, {4096, 8192}});
    h.register_definition(web_definition());
    create_service(h, {{"desiredCount", 6}});
    settle_past_health_wait(h);
    update_service(h, {{"desiredCount", 7}});
    settle_past_health_wait(h);  // all seven settled: counted, not read, until one must go
    std::string newest;
    double newest_at = 0;
    for (const auto& t : service_tasks(h))
        if (t.created_at > newest_at) newest_at = t.created_at, newest = t.arn;

    update_service(h, {{"desiredCount", 4}});
    h.settle();
    std::map<std::string, int> per_instance;
    bool newest_left = false;
    for (const auto& t : service_tasks(h)) {
        if (t.last_status == "STOPPED" || t.desired_status == "STOPPED") continue;
        ++per_instance[*t.container_instance_arn];
        newest_left |= t.arn == newest;
    }
    CHECK(describe_service(h)["runningCount"] == 4);
    CHECK_FALSE(newest_left);
    REQUIRE(per_instance.size() == 3);
    for (const auto& [_, n] : per_instance) CHECK((n == 1 || n == 2));
}

TEST_CASE("placement spreads a service over zones and instances, binpack fills one first", "[scheduler][services]") {
    TaskHarness h;
    h.simulate({6, {2048, 4096}});
    h.register_definition(web_definition());
    SECTION("the default spread") {
        create_service(h, {{"desiredCount", 6}});
        h.settle();
        std::set<std::string> instances;
        for (const auto& t : service_tasks(h)) instances.insert(*t.container_instance_arn);
        CHECK(instances.size() == 6);
    }
    SECTION("binpack on memory") {
        create_service(h, {{"desiredCount", 6}, {"placementStrategy", {{{"type", "binpack"}, {"field", "memory"}}}}});
        h.settle();
        std::set<std::string> instances;
        for (const auto& t : service_tasks(h)) instances.insert(*t.container_instance_arn);
        CHECK(instances.size() == 1);
    }
}

TEST_CASE("DAEMON runs one task per ACTIVE instance and replaces none on a DRAINING one", "[scheduler][services]") {
    TaskHarness h;
    h.simulate({3, {2048, 4096}});
    h.register_definition(web_definition());
    CHECK(h.ecs().call("CreateService", {{"serviceName", "web"}, {"taskDefinition", "web"}, {"desiredCount", 1},
                                         {"schedulingStrategy", "DAEMON"}})
              .error_code() == "InvalidParameterException");
    h.ecs().ok("CreateService", {{"serviceName", "web"}, {"taskDefinition", "web"}, {"schedulingStrategy", "DAEMON"}});
    h.settle();
    auto service = describe_service(h);
    CHECK(service["desiredCount"] == 3);
    CHECK(service["runningCount"] == 3);
    CHECK(service["deploymentConfiguration"]["maximumPercent"] == 100);
    std::set<std::string> instances;
    for (const auto& t : service_tasks(h)) instances.insert(*t.container_instance_arn);
    REQUIRE(instances.size() == 3);

    const auto drained = *instances.begin();
    h.ecs().ok("UpdateContainerInstancesState", {{"containerInstances", {drained}}, {"status", "DRAINING"}});
    h.settle();
    service = describe_service(h);
    CHECK(service["desiredCount"] == 2);
    CHECK(service["runningCount"] == 2);
    for (const auto& t : service_tasks(h))
        if (t.last_status != "STOPPED") CHECK(*t.container_instance_arn != drained);
}

TEST_CASE("a DRAINING instance's service tasks move to other instances", "[scheduler][services]") {
    TaskHarness h;
    h.simulate({3, {2048, 4096}});
    h.register_definition(web_definition());
    create_service(h, {{"desiredCount", 3}});
    h.settle();
    const auto drained = *service_tasks(h).front().container_instance_arn;
    h.ecs().ok("UpdateContainerInstancesState", {{"containerInstances", {drained}}, {"status", "DRAINING"}});
    settle_past_health_wait(h);
    std::size_t live = 0;
    for (const auto& t : service_tasks(h)) {
        if (t.last_status == "STOPPED") continue;
        ++live;
        CHECK(*t.container_instance_arn != drained);
    }
    CHECK(live == 3);
    CHECK(describe_service(h)["runningCount"] == 3);
}

TEST_CASE("a restart in the middle of a deployment resumes it without duplicates", "[scheduler][services]") {
    const int steps_before = GENERATE(1, 2, 3, 4, 5);
    CAPTURE(steps_before);
    TaskHarness h;
    h.docker().add_image("app:2");
    h.register_definition(web_definition());
    create_service(h);
    h.settle();
    h.register_definition(web_definition("app:2"));
    update_service(h, {{"taskDefinition", "web:2"}});
    for (int i = 0; i < steps_before; ++i) h.step();
    h.restart();
    settle_past_health_wait(h);
    const auto service = describe_service(h);
    REQUIRE(service["deployments"].size() == 1);
    CHECK(service["deployments"][0]["rolloutState"] == "COMPLETED");
    CHECK(running_on(h, "web:2") == 3);
    CHECK(service_tasks(h).size() == 3);
    CHECK(h.docker().running_count() == 3);
}

TEST_CASE("DeleteService needs force above 0, drains the tasks, then the service is INACTIVE", "[scheduler][services]") {
    TaskHarness h;
    h.register_definition(web_definition());
    create_service(h);
    h.settle();
    CHECK(h.ecs().call("DeleteService", {{"service", "web"}}).error_code() == "InvalidParameterException");
    const auto draining = h.ecs().ok("DeleteService", {{"service", "web"}, {"force", true}})["service"];
    CHECK(draining["status"] == "DRAINING");
    CHECK(h.ecs().ok("ListServices")["serviceArns"].size() == 1);
    h.settle();
    const auto gone = describe_service(h);
    CHECK(gone["status"] == "INACTIVE");
    CHECK(gone["runningCount"] == 0);
    CHECK(h.docker().running_count() == 0);
    CHECK(h.ecs().ok("ListServices")["serviceArns"].empty());
    CHECK(h.ecs().call("UpdateService", {{"service", "web"}, {"desiredCount", 1}}).error_code() == "ServiceNotActiveException");
    // The name is free again, as on ECS.
    create_service(h, {{"desiredCount", 1}});
    h.settle();
    CHECK(describe_service(h)["runningCount"] == 1);
    CHECK(describe_service(h)["events"].size() == 3);
}

#include "store/tasks_store.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>

#include "store/container_instances_store.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::Scope;
using ecsbox::store::TaskRecord;
using ecsbox::store::TasksStore;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;

namespace {

const Scope k_scope{"000000000000", "us-east-1"};
const std::string k_cluster = "arn:aws:ecs:us-east-1:000000000000:cluster/c";
const std::string k_instance_a = "arn:aws:ecs:us-east-1:000000000000:container-instance/c/a";
const std::string k_instance_b = "arn:aws:ecs:us-east-1:000000000000:container-instance/c/b";

// A task of service `web` started by `deployment` on `instance`, RUNNING since `started_at`.
TaskRecord service_task(const std::string& id, const std::string& deployment, const std::string& instance,
                        double started_at) {
    TaskRecord t;
    t.arn = "arn:aws:ecs:us-east-1:000000000000:task/c/" + id;
    t.cluster_arn = k_cluster;
    t.task_definition_arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1";
    t.family = "web";
    t.container_instance_arn = instance;
    t.started_by = deployment;
    t.service_name = "web";
    t.launch_type = "EC2";
    t.last_status = "RUNNING";
    t.desired_status = "RUNNING";
    t.created_at = started_at - 1;
    t.started_at = started_at;
    t.reserved_cpu = 256;
    t.reserved_memory = 512;
    t.group = "service:web";
    t.body = "{}";
    return t;
}

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    TasksStore tasks{migrated(db)};
    Fixture() {
        ecsbox::store::ContainerInstancesStore instances(db);
        for (const auto& arn : {k_instance_a, k_instance_b}) instances.put(k_scope, {arn, k_cluster, "ACTIVE", "{}", 0});
    }
};

}  // namespace

TEST_CASE("a service's settled tasks are counted per deployment and instance, the others read", "[store][tasks]") {
    Fixture f;
    f.tasks.insert(k_scope, service_task("old", "ecs-svc/1", k_instance_a, 100));
    f.tasks.insert(k_scope, service_task("recent", "ecs-svc/1", k_instance_a, 190));
    auto checked = service_task("checked", "ecs-svc/1", k_instance_b, 198);
    checked.health_checked = true;
    checked.health_status = "HEALTHY";
    f.tasks.insert(k_scope, checked);
    auto starting = service_task("starting", "ecs-svc/2", k_instance_b, 0);
    starting.last_status = "PENDING";
    starting.started_at.reset();
    f.tasks.insert(k_scope, starting);
    auto unhealthy = service_task("unhealthy", "ecs-svc/1", k_instance_b, 100);
    unhealthy.health_checked = true;
    unhealthy.health_status = "UNHEALTHY";
    f.tasks.insert(k_scope, unhealthy);
    auto stopping = service_task("stopping", "ecs-svc/1", k_instance_a, 100);
    stopping.desired_status = "STOPPED";
    f.tasks.insert(k_scope, stopping);

    // RUNNING since 195 for the one count, checked or since 160 for the other.
    const auto settled = f.tasks.settled_of_service(k_cluster, "web", 195, 160);
    REQUIRE(settled.size() == 2);
    CHECK(settled[0].container_instance_arn == k_instance_a);
    CHECK(settled[0].count == 2);
    CHECK(settled[0].running_since == 2);
    CHECK(settled[0].checked_or_running_since == 1);
    CHECK(settled[1].container_instance_arn == k_instance_b);
    CHECK(settled[1].count == 1);
    CHECK(settled[1].running_since == 0);
    CHECK(settled[1].checked_or_running_since == 1);

    std::set<std::string> unsettled;
    for (const auto& t : f.tasks.of_service(k_cluster, "web", true)) unsettled.insert(t.arn.substr(t.arn.rfind('/') + 1));
    CHECK(unsettled == std::set<std::string>{"starting", "unhealthy", "stopping"});
    CHECK(f.tasks.of_service(k_cluster, "web").size() == 6);
}

TEST_CASE("an instance's load sums its tasks' reservations without reading their documents", "[store][tasks]") {
    Fixture f;
    f.tasks.insert(k_scope, service_task("one", "ecs-svc/1", k_instance_a, 100));
    auto pending = service_task("two", "ecs-svc/1", k_instance_a, 100);
    pending.last_status = "PENDING";
    pending.reserved_cpu = 1024;
    f.tasks.insert(k_scope, pending);
    auto stopping = service_task("three", "ecs-svc/1", k_instance_a, 100);
    stopping.desired_status = "STOPPED";
    stopping.group = "family:batch";
    f.tasks.insert(k_scope, stopping);
    auto stopped = service_task("four", "ecs-svc/1", k_instance_a, 100);
    stopped.last_status = "STOPPED";
    f.tasks.insert(k_scope, stopped);
    f.tasks.insert(k_scope, service_task("five", "ecs-svc/1", k_instance_b, 100));

    const auto a = f.tasks.load_on(k_instance_a);
    CHECK(a.reserved_cpu == 256 + 1024 + 256);
    CHECK(a.reserved_memory == 3 * 512);
    CHECK(a.running == 2);
    CHECK(a.pending == 1);
    CHECK(a.groups == std::map<std::string, std::int64_t>{{"service:web", 2}});  // not the one asked to stop

    const auto loads = f.tasks.loads_in(k_cluster);
    REQUIRE(loads.size() == 2);
    CHECK(loads.at(k_instance_a).reserved_cpu == a.reserved_cpu);
    CHECK(loads.at(k_instance_b).running == 1);
    CHECK(f.tasks.load_on("arn:aws:ecs:us-east-1:000000000000:container-instance/c/none").reserved_cpu == 0);
}

TEST_CASE("tasks stored before reservations had columns get them from their documents", "[store][tasks][schema]") {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    ecsbox::store::migrate(db, 5);
    db.exec("INSERT INTO tasks (arn, account, region, cluster_arn, task_definition_arn, family, launch_type, "
            "last_status, desired_status, version, created_at, body) VALUES ('arn:t', 'a', 'r', 'c', 'td', 'web', "
            "'EC2', 'RUNNING', 'RUNNING', 1, 0, '{\"cpu\": \"512\", \"memory\": \"1024\", \"group\": \"family:web\"}')");
    TasksStore tasks{migrated(db)};
    const auto task = tasks.find("arn:t");
    REQUIRE(task);
    CHECK(task->reserved_cpu == 512);
    CHECK(task->reserved_memory == 1024);
    CHECK(task->group == "family:web");
}

"""ECS services with tasks as real Docker containers: CreateService, UpdateService (rolling
deployments, the deployment circuit breaker and its rollback, scaling), DeleteService, checked
through boto3 (the services_stable and services_inactive waiters included) and through the Docker
Engine API (what ecsbox actually runs). The module runs its own ecsbox with `--runtime docker`
and the test images from fixtures/images (built here if missing).

The whole module is skipped only when no Docker engine answers at $DOCKER_HOST (default
/var/run/docker.sock).

Every test uses its own cluster (all named `tsvc-<run id>-...`) and deletes its services (force)
when it ends; at the end the module removes any container still labelled with one of its
clusters. Expected behaviour is real ECS's (EC2 container instances running the ECS agent), as
the ECS developer guide describes services:
- a REPLICA service keeps desiredCount tasks running and replaces a task that stops;
- a rolling update never has more than floor(desired * maximumPercent / 100) tasks in the
  RUNNING or PENDING state, and never fewer than ceil(desired * minimumHealthyPercent / 100)
  RUNNING and healthy ones (a task with a container health check counts once HEALTHY, one
  without any 40 s after it reached RUNNING);
- the circuit breaker fails a deployment after max(3, ceil(desired / 2)) (at most 200) tasks
  failed to start, and with rollback a new deployment of the last COMPLETED one takes over.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from botocore.exceptions import ClientError, WaiterError

from docker_engine import DockerEngine
from ecsbox_server import REPO_ROOT, EcsboxServer
from helpers import assert_client_error, cluster_arn, current_model_data_path, make_client

ENGINE = DockerEngine()
_NO_ENGINE = ENGINE.ping()
if _NO_ENGINE:
    pytest.skip(f"no Docker engine answers ({_NO_ENGINE}): these tests run services' tasks as "
                f"real containers", allow_module_level=True)

WEBAPP = "ecsbox-test/webapp:latest"
RUN_ID = uuid.uuid4().hex[:6]
PREFIX = f"tsvc-{RUN_ID}"
TASK_LABEL = "com.amazonaws.ecs.task-arn"
CLUSTER_LABEL = "com.amazonaws.ecs.cluster"
FAMILY_LABEL = "com.amazonaws.ecs.task-definition-family"
REVISION_LABEL = "com.amazonaws.ecs.task-definition-version"
STEADY = "has reached a steady state."
STARTED_RE = re.compile(r"has started (\d+) tasks:((?: \(task [0-9a-f]+\))+)\.$")


# ---------------------------------------------------------------------------------------------
# Module fixtures: one docker-runtime server, images present, everything removed at the end.

class World:
    def __init__(self, server: EcsboxServer, data_path: str):
        self.server = server
        self.ecs = make_client(server.endpoint)
        # The service deployment APIs (ListServiceDeployments, DescribeServiceDeployments) and
        # Service.currentServiceDeployment postdate Debian's botocore 1.29.
        self.ecs_current = make_client(server.endpoint, data_path=data_path)


def _ensure_images() -> None:
    if ENGINE.image_exists(WEBAPP):
        return
    build = REPO_ROOT / "fixtures" / "images" / "build"
    proc = subprocess.run([str(build), "webapp"], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or not ENGINE.image_exists(WEBAPP):
        pytest.fail(f"{build} webapp failed (exit {proc.returncode}):\n"
                    f"{proc.stdout}\n{proc.stderr}", pytrace=False)


def _our_containers() -> list[dict]:
    return [c for c in ENGINE.containers(CLUSTER_LABEL)
            if (c.get("Labels") or {}).get(CLUSTER_LABEL, "").startswith(cluster_arn(PREFIX))]


@pytest.fixture(scope="module")
def world():
    _ensure_images()
    data_path = current_model_data_path()
    server = EcsboxServer(runtime="docker")
    try:
        server.start_or_fail()
        yield World(server, data_path)
    finally:
        alive = server.alive()
        tail = server.log_tail(80)
        server.cleanup()
        shutil.rmtree(data_path, ignore_errors=True)
        for c in _our_containers():
            ENGINE.remove(c["Id"])
        if not alive:
            sys.stderr.write(f"\necsbox (--runtime docker) died; last log lines:\n{tail}\n")


@pytest.fixture(autouse=True)
def _docker_server_alive(request, world):
    yield
    assert world.server.alive(), f"ecsbox died during this test:\n{world.server.log_tail(60)}"


# ---------------------------------------------------------------------------------------------
# Per-test helper: a fresh cluster, its services, snapshots of tasks and containers, waiting.

def webapp(name="web", **extra) -> dict:
    c = {"name": name, "image": WEBAPP, "memory": 32, "essential": True, "stopTimeout": 5,
         "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}]}
    c.update(extra)
    return c


# The webapp's /health as a container health check: ECS counts a task with a health check towards
# the minimum healthy percent once it is HEALTHY (after ~interval seconds); one without any only
# 40 s after it reached RUNNING, too slow for most tests here.
HEALTH_CHECK = {"command": ["CMD-SHELL", "wget -q -O- localhost:8080/health"],
                "interval": 5, "timeout": 3, "retries": 2}


def checked_webapp(**extra) -> dict:
    return webapp(healthCheck=HEALTH_CHECK, **extra)


def dump(value) -> str:
    return json.dumps(value, default=str, indent=1)


def task_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


class Box:
    def __init__(self, world: World, test_name: str):
        self.world = world
        base = re.sub(r"[^A-Za-z0-9_-]", "-", test_name)[:36].strip("-")
        self.cluster = f"{PREFIX}-{base}-{uuid.uuid4().hex[:4]}"
        self.cluster_arn = cluster_arn(self.cluster)
        self.family = f"{self.cluster}-fam"
        self.services: list[str] = []
        self.ecs.create_cluster(clusterName=self.cluster)

    @property
    def ecs(self):
        return self.world.ecs

    def log(self, n: int = 40) -> str:
        return self.world.server.log_tail(n)

    def register(self, containers: list[dict]) -> str:
        return self.ecs.register_task_definition(
            family=self.family, containerDefinitions=containers)["taskDefinition"]["taskDefinitionArn"]

    def create_service(self, name: str, task_definition: str, count: int, **kw) -> dict:
        service = self.ecs.create_service(cluster=self.cluster, serviceName=name,
                                          taskDefinition=task_definition, desiredCount=count,
                                          **kw)["service"]
        self.services.append(name)
        return service

    def service(self, name: str) -> dict:
        resp = self.ecs.describe_services(cluster=self.cluster, services=[name])
        assert resp["failures"] == [], resp
        (service,) = resp["services"]
        return service

    def wait_stable(self, name: str, attempts: int = 40) -> dict:
        try:
            self.ecs.get_waiter("services_stable").wait(
                cluster=self.cluster, services=[name],
                WaiterConfig={"Delay": 1, "MaxAttempts": attempts})
        except WaiterError as exc:
            pytest.fail(f"services_stable failed: {exc}\nservice now: {dump(self.service(name))}"
                        f"\ntasks now: {dump(self.tasks(name))}\necsbox log:\n{self.log()}",
                        pytrace=False)
        return self.service(name)

    def poll_service(self, name: str, predicate, timeout_s: float, what: str,
                     interval: float = 0.1) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            service = self.service(name)
            if predicate(service):
                return service
            if time.monotonic() > deadline:
                pytest.fail(f"service not {what} within {timeout_s}s; now:\n{dump(service)}"
                            f"\ntasks: {dump(self.tasks(name))}\necsbox log:\n{self.log()}",
                            pytrace=False)
            time.sleep(interval)

    def task_arns(self, name: str, desired: str = "RUNNING") -> list[str]:
        arns: list[str] = []
        kw = {"cluster": self.cluster, "serviceName": name, "desiredStatus": desired}
        for page in self.ecs.get_paginator("list_tasks").paginate(**kw):
            arns += page["taskArns"]
        return arns

    def describe_tasks(self, arns: list[str]) -> list[dict]:
        tasks = []
        for first in range(0, len(arns), 100):
            resp = self.ecs.describe_tasks(cluster=self.cluster, tasks=arns[first:first + 100])
            assert resp["failures"] == [], resp
            tasks += resp["tasks"]
        return tasks

    def tasks(self, name: str, stopped_too: bool = False) -> list[dict]:
        """The service's tasks (desired RUNNING; with stopped_too also those desired STOPPED),
        as one DescribeTasks saw them."""
        arns = self.task_arns(name)
        if stopped_too:
            arns += [a for a in self.task_arns(name, "STOPPED") if a not in arns]
        return self.describe_tasks(arns) if arns else []

    def running_containers(self) -> list[dict]:
        return [c for c in ENGINE.containers(f"{CLUSTER_LABEL}={self.cluster_arn}")
                if c["State"] == "running"]

    def all_containers(self) -> list[dict]:
        return ENGINE.containers(f"{CLUSTER_LABEL}={self.cluster_arn}")

    def wait_no_containers(self, timeout_s: float = 10.0, running_only: bool = False) -> list:
        deadline = time.monotonic() + timeout_s
        while True:
            left = self.running_containers() if running_only else self.all_containers()
            if not left or time.monotonic() > deadline:
                return [(c["Names"], c["State"], c["Labels"].get(TASK_LABEL)) for c in left]
            time.sleep(0.1)

    def cleanup(self) -> None:
        for name in self.services:
            try:
                self.ecs.delete_service(cluster=self.cluster, service=name, force=True)
            except ClientError:
                pass  # already deleted by the test
        self.wait_no_containers(15, running_only=True)


@pytest.fixture
def box(world, request):
    b = Box(world, request.node.name)
    yield b
    if world.server.alive():
        b.cleanup()


def primary_of(service: dict) -> dict:
    primaries = [d for d in service["deployments"] if d["status"] == "PRIMARY"]
    assert len(primaries) == 1, service["deployments"]
    return primaries[0]


def messages(service: dict) -> list[str]:
    """The service's event messages, oldest first (ECS lists the newest first)."""
    return [e["message"] for e in reversed(service["events"])]


def started_ids(service: dict, name: str) -> list[str]:
    """The task ids of every "(service x) has started N tasks: (task a) ..." event."""
    ids = []
    prefix = f"(service {name}) "
    for message in messages(service):
        m = STARTED_RE.fullmatch(message[len(prefix):]) if message.startswith(prefix) else None
        if m:
            listed = re.findall(r"\(task ([0-9a-f]+)\)", m.group(2))
            assert len(listed) == int(m.group(1)), message
            ids += listed
    return ids


def check_on_engine(box: Box, tasks: list[dict], revision: int | None = None) -> None:
    """Each task runs as exactly one running container carrying its labels, and the cluster has
    no other running container."""
    running = box.running_containers()
    by_task: dict[str, list[dict]] = {}
    for c in running:
        by_task.setdefault(c["Labels"].get(TASK_LABEL, ""), []).append(c)
    assert sorted(by_task) == sorted(t["taskArn"] for t in tasks), (
        [(c["Names"], c["Labels"]) for c in running], [t["taskArn"] for t in tasks])
    for t in tasks:
        (c,) = by_task[t["taskArn"]]
        (tc,) = t["containers"]
        assert c["Id"] == tc["runtimeId"], (c["Id"], tc)
        assert c["Labels"][CLUSTER_LABEL] == box.cluster_arn, c["Labels"]
        assert c["Labels"][FAMILY_LABEL] == box.family, c["Labels"]
        if revision is not None:
            assert c["Labels"][REVISION_LABEL] == str(revision), c["Labels"]


def check_steady(box: Box, name: str, service: dict, task_definition: str, count: int) -> list[dict]:
    """The stable service runs `count` tasks of `task_definition`, all of its one deployment,
    and the engine runs exactly their containers."""
    assert service["status"] == "ACTIVE"
    assert service["desiredCount"] == count and service["runningCount"] == count, service
    assert service["pendingCount"] == 0, service
    assert service["taskDefinition"] == task_definition
    (deployment,) = service["deployments"]
    assert deployment["status"] == "PRIMARY" and deployment["taskDefinition"] == task_definition
    assert deployment["runningCount"] == count and deployment["desiredCount"] == count, deployment
    tasks = box.tasks(name)
    assert len(tasks) == count, dump(tasks)
    for t in tasks:
        assert t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING", t
        assert t["taskDefinitionArn"] == task_definition, t
        assert t["group"] == f"service:{name}", t
        assert t["startedBy"] == deployment["id"], (t["startedBy"], deployment)
        assert t["clusterArn"] == box.cluster_arn
    check_on_engine(box, tasks, revision=int(task_definition.rsplit(":", 1)[1]))
    return tasks


def wait_healthy(box: Box, name: str, count: int, timeout_s: float = 25) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while True:
        tasks = box.tasks(name)
        if len(tasks) == count and all(t["healthStatus"] == "HEALTHY" for t in tasks):
            return tasks
        if time.monotonic() > deadline:
            pytest.fail(f"not {count} HEALTHY tasks within {timeout_s}s: {dump(tasks)}", pytrace=False)
        time.sleep(0.2)


def wait_completed(box: Box, name: str, timeout_s: float = 15) -> dict:
    """ECS marks a deployment COMPLETED once it has reached a steady state (possibly a little
    after the services_stable waiter saw it)."""
    return box.poll_service(
        name, lambda s: len(s["deployments"]) == 1
        and s["deployments"][0]["rolloutState"] == "COMPLETED", timeout_s, "COMPLETED")


# ---------------------------------------------------------------------------------------------
# Tests

def test_service_without_cluster_needs_the_default_cluster(world):
    """CreateService without `cluster` means the `default` cluster, which must exist."""
    ecs = world.ecs
    assert [c for c in ecs.describe_clusters(clusters=["default"])["clusters"]
            if c["status"] == "ACTIVE"] == []
    td = ecs.register_task_definition(family=f"{PREFIX}-default",
                                      containerDefinitions=[webapp()])["taskDefinition"]
    name = f"{PREFIX}-nodefault"
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(serviceName=name, taskDefinition=td["taskDefinitionArn"], desiredCount=0)
    assert_client_error(excinfo, "ClusterNotFoundException")

    ecs.create_cluster(clusterName="default")
    try:
        service = ecs.create_service(serviceName=name, taskDefinition=td["taskDefinitionArn"],
                                     desiredCount=0)["service"]
        assert service["clusterArn"] == cluster_arn("default")
        assert service["serviceArn"] == (
            f"arn:aws:ecs:us-east-1:000000000000:service/default/{name}")
        assert [s["serviceName"] for s in ecs.describe_services(services=[name])["services"]] == [name]
        ecs.delete_service(service=name)
        ecs.get_waiter("services_inactive").wait(services=[name],
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    finally:
        try:
            ecs.delete_service(service=name, force=True)
        except ClientError:
            pass  # deleted above
        ecs.delete_cluster(cluster="default")


def test_create_service_runs_three_containers(box):
    td = box.register([webapp()])
    created = box.create_service("web", td, 3, deploymentConfiguration={
        "maximumPercent": 200, "minimumHealthyPercent": 100})
    assert created["status"] == "ACTIVE" and created["desiredCount"] == 3
    assert created["serviceArn"] == (
        f"arn:aws:ecs:us-east-1:000000000000:service/{box.cluster}/web")
    (deployment,) = created["deployments"]
    assert deployment["status"] == "PRIMARY" and deployment["rolloutState"] == "IN_PROGRESS"
    assert re.fullmatch(r"ecs-svc/\d{19}", deployment["id"]), deployment["id"]

    service = box.wait_stable("web")
    tasks = check_steady(box, "web", service, td, 3)
    assert primary_of(service)["id"] == deployment["id"]
    service = wait_completed(box, "web")
    assert service["deployments"][0]["rolloutStateReason"] == (
        f"ECS deployment {deployment['id']} completed."), service["deployments"][0]
    # Its events: the three tasks it started, then the steady state.
    assert sorted(started_ids(service, "web")) == sorted(task_id(t["taskArn"]) for t in tasks), (
        messages(service))
    assert "(service web) " + STEADY in messages(service), messages(service)
    assert all(m.startswith("(service web) ") for m in messages(service)), messages(service)


def test_killed_task_is_replaced(box):
    td = box.register([webapp()])
    box.create_service("web", td, 3)
    service = box.wait_stable("web")
    tasks = check_steady(box, "web", service, td, 3)
    before = {t["taskArn"] for t in tasks}
    victim = tasks[0]
    runtime_id = victim["containers"][0]["runtimeId"]

    started = time.monotonic()
    # `docker kill` (SIGKILL) through the Engine API, behind ecsbox's back.
    status, body = ENGINE.request("POST", f"/containers/{runtime_id}/kill")
    assert status == 204, (status, body)

    deadline = started + 30
    replacement = None
    while replacement is None:
        service = box.service("web")
        if service["runningCount"] == 3:
            new = [t for t in box.tasks("web") if t["taskArn"] not in before
                   and t["lastStatus"] == "RUNNING"]
            if new:
                replacement = new[0]
                break
        if time.monotonic() > deadline:
            pytest.fail(f"no replacement RUNNING within 30 s; service:\n{dump(service)}\n"
                        f"tasks: {dump(box.tasks('web', stopped_too=True))}\n{box.log()}",
                        pytrace=False)
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    print(f"\nreplacement of a killed task RUNNING after {elapsed:.2f} s "
          f"(task {task_id(replacement['taskArn'])})")
    assert elapsed < 30

    killed = box.describe_tasks([victim["taskArn"]])[0]
    assert killed["lastStatus"] == "STOPPED", killed
    assert killed["desiredStatus"] == "STOPPED", killed
    assert killed["stopCode"] == "EssentialContainerExited", killed
    assert killed["stoppedReason"] == "Essential container in task exited", killed
    assert killed["containers"][0]["exitCode"] == 137, killed["containers"]
    assert victim["taskArn"] not in box.task_arns("web")
    assert victim["taskArn"] in box.task_arns("web", "STOPPED")

    # Back to a steady state: the two survivors and the replacement, on the same deployment.
    service = box.wait_stable("web")
    tasks = check_steady(box, "web", service, td, 3)
    assert {t["taskArn"] for t in tasks} == (before - {victim["taskArn"]}) | {replacement["taskArn"]}
    assert replacement["startedBy"] == primary_of(service)["id"]
    assert task_id(replacement["taskArn"]) in started_ids(service, "web"), messages(service)
    assert ENGINE.inspect(runtime_id) is None or ENGINE.inspect(runtime_id)["State"]["Running"] is False


def running_healthy(tasks: list[dict]) -> list[dict]:
    """RUNNING, HEALTHY, and meant to stay so (a task the scheduler asked to stop no longer
    counts towards the minimum healthy percent)."""
    return [t for t in tasks if t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING"
            and t["healthStatus"] == "HEALTHY"]


@pytest.mark.parametrize("max_percent,min_percent", [(150, 100), (100, 50)])
def test_rolling_update_respects_maximum_and_minimum_percent(box, max_percent, min_percent):
    desired = 3
    ceiling = desired * max_percent // 100           # rounded down
    floor = math.ceil(desired * min_percent / 100)   # rounded up
    rev1 = box.register([checked_webapp()])
    box.create_service("web", rev1, desired)
    service = box.wait_stable("web")
    check_steady(box, "web", service, rev1, desired)
    old_tasks = wait_healthy(box, "web", desired)
    wait_completed(box, "web")
    rev2 = box.register([checked_webapp(environment=[{"name": "REVISION", "value": "2"}])])
    assert rev2.endswith(":2"), rev2

    updated = box.ecs.update_service(
        cluster=box.cluster, service="web", taskDefinition=rev2,
        deploymentConfiguration={"maximumPercent": max_percent,
                                 "minimumHealthyPercent": min_percent})["service"]
    assert updated["taskDefinition"] == rev2
    assert updated["deploymentConfiguration"]["maximumPercent"] == max_percent
    assert updated["deploymentConfiguration"]["minimumHealthyPercent"] == min_percent
    new_primary = primary_of(updated)
    assert new_primary["taskDefinition"] == rev2 and new_primary["rolloutState"] == "IN_PROGRESS"
    assert {d["status"] for d in updated["deployments"]} == {"PRIMARY", "ACTIVE"}, updated["deployments"]

    samples = 0
    mixed = False
    lowest_healthy, highest_occupying, highest_engine = desired, 0, 0
    deadline = time.monotonic() + 60
    while True:
        service = box.service("web")
        tasks = box.tasks("web", stopped_too=True)
        engine_running = len(box.running_containers())
        samples += 1
        healthy = running_healthy(tasks)
        occupying = [t for t in tasks if t["lastStatus"] != "STOPPED"]
        lowest_healthy = min(lowest_healthy, len(healthy))
        highest_occupying = max(highest_occupying, len(occupying))
        highest_engine = max(highest_engine, engine_running)
        state = lambda: (f"sample {samples}: service {dump(service)}\ntasks "  # noqa: E731
                         f"{dump([(t['taskArn'], t['taskDefinitionArn'], t['lastStatus'], t['desiredStatus'], t['healthStatus']) for t in tasks])}")
        assert len(healthy) >= floor, f"fewer than {floor} RUNNING healthy tasks\n{state()}"
        assert len(occupying) <= ceiling, f"more than {ceiling} tasks not STOPPED\n{state()}"
        assert engine_running <= ceiling, f"{engine_running} running containers > {ceiling}\n{state()}"
        assert service["runningCount"] + service["pendingCount"] <= ceiling, state()
        mixed |= {t["taskDefinitionArn"] for t in occupying} == {rev1, rev2}
        if (len(service["deployments"]) == 1
                and service["deployments"][0]["rolloutState"] == "COMPLETED"):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"the rollout did not complete within 60 s\n{state()}\n{box.log()}",
                        pytrace=False)
        time.sleep(0.02)
    print(f"\nrollout {max_percent}/{min_percent}: {samples} samples, RUNNING+HEALTHY >= "
          f"{lowest_healthy} (floor {floor}), not STOPPED <= {highest_occupying} (ceiling "
          f"{ceiling}), engine running <= {highest_engine}")
    assert samples >= 5, samples
    assert mixed, "no sample saw old and new tasks side by side: the rollout was not observed"

    service = box.wait_stable("web")
    (deployment,) = service["deployments"]
    assert deployment["id"] == new_primary["id"], deployment
    assert deployment["rolloutState"] == "COMPLETED", deployment
    new_tasks = check_steady(box, "web", service, rev2, desired)
    assert all(t["healthStatus"] == "HEALTHY" for t in new_tasks), dump(new_tasks)
    assert not {t["taskArn"] for t in new_tasks} & {t["taskArn"] for t in old_tasks}
    for t in box.describe_tasks([t["taskArn"] for t in old_tasks]):
        assert t["lastStatus"] == "STOPPED", t
        assert t["stopCode"] == "ServiceSchedulerInitiated", t
        assert t["stoppedReason"], t
        assert t["containers"][0]["exitCode"] == 143, t["containers"]  # SIGTERM, honoured


def test_task_without_health_check_counts_as_healthy_after_40_seconds(box):
    """'If a task has no essential containers with a health check defined, the service scheduler
    will wait for 40 seconds after a task reaches a RUNNING state before the task is counted
    towards the minimum healthy percent total' (DeploymentConfiguration.minimumHealthyPercent).
    So with minimumHealthyPercent 100 no old task may stop in the first seconds after the first
    new one runs."""
    rev1 = box.register([webapp()])
    box.create_service("web", rev1, 2, deploymentConfiguration={
        "maximumPercent": 200, "minimumHealthyPercent": 100})
    old = {t["taskArn"] for t in check_steady(box, "web", box.wait_stable("web"), rev1, 2)}
    rev2 = box.register([webapp(environment=[{"name": "REVISION", "value": "2"}])])
    box.ecs.update_service(cluster=box.cluster, service="web", taskDefinition=rev2)

    def new_running(tasks):
        return [t for t in tasks if t["taskDefinitionArn"] == rev2 and t["lastStatus"] == "RUNNING"]

    deadline = time.monotonic() + 20
    while not new_running(tasks := box.tasks("web", stopped_too=True)):
        assert time.monotonic() < deadline, f"no new task RUNNING within 20 s: {dump(tasks)}"
        time.sleep(0.05)
    first_running = time.monotonic()
    while time.monotonic() - first_running < 8:
        tasks = box.describe_tasks(sorted(old))
        stopping = [(t["taskArn"], t["lastStatus"], t["desiredStatus"], t.get("stoppedReason"))
                    for t in tasks if t["desiredStatus"] != "RUNNING"]
        assert not stopping, (
            f"{time.monotonic() - first_running:.1f} s after a new task without health checks "
            f"reached RUNNING, old tasks are being stopped: {stopping}\nevents: "
            f"{messages(box.service('web'))}")
        time.sleep(0.1)


def test_circuit_breaker_rolls_back(box, world):
    ecs = world.ecs_current
    rev1 = box.register([checked_webapp()])
    box.create_service("web", rev1, 3, deploymentConfiguration={
        "maximumPercent": 200, "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    service = box.wait_stable("web")
    check_steady(box, "web", service, rev1, 3)
    wait_healthy(box, "web", 3)
    service = wait_completed(box, "web")
    first = service["deployments"][0]["id"]

    # Revision 2: the webapp image with an entry point that exits at once, non-zero.
    rev2 = box.register([checked_webapp(entryPoint=["sh", "-c", "exit 3"])])
    updated = ecs.update_service(cluster=box.cluster, service="web", taskDefinition=rev2)["service"]
    failed = primary_of(updated)
    assert failed["taskDefinition"] == rev2 and failed["rolloutState"] == "IN_PROGRESS"
    failed_arn = updated["currentServiceDeployment"]

    seen_failed, too_few = [], []
    deadline = time.monotonic() + 60
    while True:
        service = box.service("web")
        for d in service["deployments"]:
            if d["id"] == failed["id"] and d["rolloutState"] == "FAILED":
                seen_failed.append(d)
        healthy = running_healthy(box.tasks("web"))
        if len(healthy) < 3:  # minimumHealthyPercent 100: revision 2 never gets healthy
            too_few.append([(task_id(t["taskArn"]), t["taskDefinitionArn"]) for t in healthy])
        primary = primary_of(service)
        if (primary["id"] not in (first, failed["id"]) and len(service["deployments"]) == 1
                and primary["rolloutState"] == "COMPLETED"):
            break
        if time.monotonic() > deadline:
            pytest.fail(f"no completed rollback within 60 s; service:\n{dump(service)}\n"
                        f"tasks: {dump(box.tasks('web', stopped_too=True))}\n{box.log(60)}",
                        pytrace=False)
        time.sleep(0.1)
    for d in seen_failed:  # it leaves deployments[] as soon as it has no task left
        assert d["status"] == "ACTIVE", d
        assert d["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start.", d

    rollback = primary
    assert rollback["taskDefinition"] == rev1, rollback
    service = box.wait_stable("web")
    assert service["taskDefinition"] == rev1, service["taskDefinition"]
    check_steady(box, "web", service, rev1, 3)

    # The failed deployment, as the service deployment API keeps it.
    (sd,) = ecs.describe_service_deployments(serviceDeploymentArns=[failed_arn])["serviceDeployments"]
    assert sd["status"] == "ROLLBACK_SUCCESSFUL", dump(sd)
    assert sd["deploymentCircuitBreaker"]["status"] == "TRIGGERED", sd["deploymentCircuitBreaker"]
    assert sd["deploymentCircuitBreaker"]["threshold"] == 3, sd["deploymentCircuitBreaker"]
    assert sd["deploymentCircuitBreaker"]["failureCount"] >= 3, sd["deploymentCircuitBreaker"]
    assert "circuit breaker" in sd["rollback"]["reason"], sd["rollback"]
    assert sd["targetServiceRevision"]["arn"].endswith(failed["id"].split("/")[1]), sd
    # The rollback deployment is the service's current one, and it succeeded.
    current = ecs.describe_services(cluster=box.cluster, services=["web"])["services"][0]
    (rd,) = ecs.describe_service_deployments(
        serviceDeploymentArns=[current["currentServiceDeployment"]])["serviceDeployments"]
    assert rd["status"] == "SUCCESSFUL", dump(rd)
    assert rd["targetServiceRevision"]["arn"].endswith(rollback["id"].split("/")[1]), dump(rd)

    # Its tasks failed to start: they ran revision 2 and exited on their own (those the
    # rollback stopped may never have run).
    failed_tasks = [t for t in box.tasks("web", stopped_too=True) if t["startedBy"] == failed["id"]]
    for t in failed_tasks:
        assert t["taskDefinitionArn"] == rev2 and t["lastStatus"] == "STOPPED", t
    exited = [t for t in failed_tasks if t["stopCode"] == "EssentialContainerExited"]
    assert len(exited) >= 3, dump(failed_tasks)
    for t in exited:
        assert t["stoppedReason"] == "Essential container in task exited", t
        assert t["containers"][0]["exitCode"] == 3, t["containers"]

    events = messages(service)
    failed_msg = f"(service web) deployment {failed['id']} deployment failed: tasks failed to start."
    rolling_msg = f"(service web) rolling back to deployment {first}."
    assert failed_msg in events, events
    assert rolling_msg in events, events
    assert events.index(failed_msg) <= events.index(rolling_msg), events
    assert "(service web) " + STEADY in events[events.index(rolling_msg):], events
    assert too_few == [], f"fewer than 3 healthy tasks during the failed deployment: {too_few}"


def test_scale_to_zero_and_back(box):
    td = box.register([webapp()])
    box.create_service("web", td, 3)
    check_steady(box, "web", box.wait_stable("web"), td, 3)
    assert len(box.running_containers()) == 3

    box.ecs.update_service(cluster=box.cluster, service="web", desiredCount=0)
    service = box.wait_stable("web")
    assert service["desiredCount"] == 0 and service["runningCount"] == 0, service
    assert len(service["deployments"]) == 1, service["deployments"]
    assert box.tasks("web") == []
    # runningCount leaves out tasks that are still stopping (as ECS's does), so services_stable
    # may answer before their containers are gone: they must be, within a few seconds.
    stopping = box.task_arns("web", "STOPPED")
    assert len(stopping) == 3, stopping
    box.ecs.get_waiter("tasks_stopped").wait(cluster=box.cluster, tasks=stopping,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": 15})
    assert box.running_containers() == [], [c["Names"] for c in box.running_containers()]
    assert box.wait_no_containers(10) == []

    box.ecs.update_service(cluster=box.cluster, service="web", desiredCount=2)
    service = box.wait_stable("web")
    check_steady(box, "web", service, td, 2)
    assert len(box.running_containers()) == 2
    assert len(box.all_containers()) == 2


def test_delete_service_force(box):
    td = box.register([webapp()])
    box.create_service("web", td, 2)
    check_steady(box, "web", box.wait_stable("web"), td, 2)

    with pytest.raises(ClientError) as excinfo:
        box.ecs.delete_service(cluster=box.cluster, service="web")
    assert_client_error(excinfo, "InvalidParameterException")

    deleted = box.ecs.delete_service(cluster=box.cluster, service="web", force=True)["service"]
    assert deleted["status"] == "DRAINING", deleted
    assert deleted["desiredCount"] == 0, deleted
    try:
        box.ecs.get_waiter("services_inactive").wait(
            cluster=box.cluster, services=["web"], WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    except WaiterError as exc:
        pytest.fail(f"services_inactive failed: {exc}\n{dump(box.service('web'))}\n{box.log()}",
                    pytrace=False)
    service = box.service("web")
    assert service["status"] == "INACTIVE"
    assert box.ecs.list_services(cluster=box.cluster)["serviceArns"] == []
    assert box.tasks("web") == []
    for t in box.tasks("web", stopped_too=True):
        assert t["lastStatus"] == "STOPPED", t
    assert box.wait_no_containers(10) == []

"""Tasks as real Docker containers: RunTask, StopTask, DescribeTasks, ListTasks and the container
instance, checked through boto3 (waiters included), the AWS CLI v2 waiters, and the Docker
Engine API (what ecsbox actually created). The module runs its own ecsbox with
`--runtime docker` (the session's server runs `--runtime none`) and the test images from
fixtures/images (built here if missing).

The whole module is skipped only when no Docker engine answers at $DOCKER_HOST (default
/var/run/docker.sock); CI always has one.

Every test uses its own cluster (all named `tdock-<run id>-...`) and family, and stops its tasks
when it ends; at the end the module removes any container still labelled with one of its
clusters. Expected behaviour is real ECS's (an EC2 container instance running the ECS agent)."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import WaiterError

from docker_engine import DockerEngine, parse_time
from ecsbox_server import REPO_ROOT, EcsboxServer
from helpers import cluster_arn, current_model_data_path, make_client

ENGINE = DockerEngine()
_NO_ENGINE = ENGINE.ping()
if _NO_ENGINE:
    pytest.skip(f"no Docker engine answers ({_NO_ENGINE}): these tests run tasks as real "
                f"containers", allow_module_level=True)

AWS = "/usr/bin/aws"
WEBAPP = "ecsbox-test/webapp:latest"
BUSYBOX = "ecsbox-test/busybox:latest"
UNPULLABLE = "127.0.0.1:1/nothing:latest"
RUN_ID = uuid.uuid4().hex[:6]
PREFIX = f"tdock-{RUN_ID}"
TASK_LABEL = "com.amazonaws.ecs.task-arn"
CLUSTER_LABEL = "com.amazonaws.ecs.cluster"
PRE_RUNNING = {"PROVISIONING", "PENDING", "ACTIVATING"}


# ---------------------------------------------------------------------------------------------
# Module fixtures: one docker-runtime server, images present, everything removed at the end.

class World:
    def __init__(self, server: EcsboxServer):
        self.server = server
        self.ecs = make_client(server.endpoint)

    def renew_client(self) -> None:
        """A fresh client (and connection pool) after the server was restarted."""
        self.ecs = make_client(self.server.endpoint)


def _ensure_images() -> None:
    if all(ENGINE.image_exists(i) for i in (WEBAPP, BUSYBOX)):
        return
    build = REPO_ROOT / "fixtures" / "images" / "build"
    proc = subprocess.run([str(build)], capture_output=True, text=True, timeout=600)
    missing = [i for i in (WEBAPP, BUSYBOX) if not ENGINE.image_exists(i)]
    if proc.returncode != 0 or missing:
        pytest.fail(f"{build} failed (exit {proc.returncode}; missing {missing}):\n"
                    f"{proc.stdout}\n{proc.stderr}", pytrace=False)


def _our_containers() -> list[dict]:
    return [c for c in ENGINE.containers(TASK_LABEL)
            if PREFIX in (c.get("Labels") or {}).get(CLUSTER_LABEL, "")]


@pytest.fixture(scope="module")
def world():
    _ensure_images()
    server = EcsboxServer(runtime="docker").start_or_fail()
    w = World(server)
    try:
        yield w
    finally:
        alive = server.alive()
        tail = server.log_tail(60)
        server.cleanup()
        for c in _our_containers():
            ENGINE.remove(c["Id"])
        if not alive:
            sys.stderr.write(f"\necsbox (--runtime docker) died; last log lines:\n{tail}\n")


@pytest.fixture(autouse=True)
def _docker_server_alive(request, world):
    yield
    assert world.server.alive(), f"ecsbox died during this test:\n{world.server.log_tail(60)}"


# ---------------------------------------------------------------------------------------------
# Per-test helper: a fresh cluster, families, task bookkeeping, waiting.

def webapp(name="web", **extra) -> dict:
    c = {"name": name, "image": WEBAPP, "memory": 64, "essential": True, "stopTimeout": 5,
         "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}]}
    c.update(extra)
    return c


def busybox(name, command, **extra) -> dict:
    # sh and sleep as PID 1 ignore SIGTERM: keep stopTimeout small so stopping never waits 30 s.
    c = {"name": name, "image": BUSYBOX, "memory": 32, "essential": True, "stopTimeout": 2,
         "command": command}
    c.update(extra)
    return c


def container_of(task: dict, name: str) -> dict:
    matches = [c for c in task["containers"] if c["name"] == name]
    assert len(matches) == 1, (name, task["containers"])
    return matches[0]


def host_port(task: dict, name: str = "web", container_port: int = 8080) -> int:
    # Docker publishes an ephemeral port once per address family, and may pick a different
    # port for each (ECS reports both bindings): the IPv4 one is what 127.0.0.1 reaches.
    bindings = [b for b in container_of(task, name).get("networkBindings", [])
                if b.get("containerPort") == container_port and ":" not in b.get("bindIP", "")]
    assert bindings, f"no IPv4 networkBindings for {container_port}: {container_of(task, name)}"
    ports = {b["hostPort"] for b in bindings}
    assert len(ports) == 1, bindings
    port = ports.pop()
    assert isinstance(port, int) and port > 0, bindings
    return port


def http_get(port: int, path: str = "/", timeout_s: float = 10.0) -> tuple[int, str]:
    """GET http://127.0.0.1:port/path, retrying while the app is not listening yet."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def ask_to_exit(port: int, code: int) -> None:
    try:
        status, body = http_get(port, f"/exit?code={code}")
        assert status == 200, body
    except (urllib.error.URLError, ConnectionError, OSError):
        pass  # the answer may be cut off by the exit itself


class Box:
    def __init__(self, world: World, test_name: str):
        self.world = world
        base = re.sub(r"[^A-Za-z0-9_-]", "-", test_name)[:40].strip("-")
        self.cluster = f"{PREFIX}-{base}-{uuid.uuid4().hex[:4]}"
        self.cluster_arn = cluster_arn(self.cluster)
        self.task_arns: list[str] = []
        self.ecs.create_cluster(clusterName=self.cluster)

    @property
    def ecs(self):
        return self.world.ecs

    def register(self, containers: list[dict], family: str | None = None, **extra) -> str:
        family = family or f"{self.cluster}-{len(self.task_arns)}-{uuid.uuid4().hex[:4]}"
        td = self.ecs.register_task_definition(family=family, containerDefinitions=containers,
                                               **extra)["taskDefinition"]
        return td["taskDefinitionArn"]

    def run(self, task_definition: str, count: int = 1, expect_failures=False, **kw) -> dict:
        resp = self.ecs.run_task(cluster=self.cluster, taskDefinition=task_definition,
                                 count=count, **kw)
        self.task_arns += [t["taskArn"] for t in resp["tasks"]]
        if not expect_failures:
            assert resp["failures"] == [], resp["failures"]
            assert len(resp["tasks"]) == count, resp
        return resp

    def run_one(self, containers: list[dict], **kw) -> dict:
        """Registers a family and runs one task of it; the RunTask response's task."""
        return self.run(self.register(containers), **kw)["tasks"][0]

    def describe(self, arn: str) -> dict:
        resp = self.ecs.describe_tasks(cluster=self.cluster, tasks=[arn], include=["TAGS"])
        assert resp["failures"] == [], resp
        (task,) = resp["tasks"]
        return task

    def _wait(self, waiter: str, arns: list[str], attempts: int) -> list[dict]:
        try:
            self.ecs.get_waiter(waiter).wait(cluster=self.cluster, tasks=arns,
                                             WaiterConfig={"Delay": 1, "MaxAttempts": attempts})
        except WaiterError as exc:
            tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"]
            pytest.fail(f"waiter {waiter} failed: {exc}\ntasks now: {json.dumps(tasks, default=str, indent=1)}"
                        f"\necsbox log:\n{self.world.server.log_tail(30)}", pytrace=False)
        return [self.describe(a) for a in arns]

    def wait_running(self, *arns: str, attempts: int = 45) -> list[dict]:
        return self._wait("tasks_running", list(arns), attempts)

    def wait_stopped(self, *arns: str, attempts: int = 45) -> list[dict]:
        return self._wait("tasks_stopped", list(arns), attempts)

    def poll(self, arn: str, predicate, timeout_s: float, what: str, interval: float = 0.25) -> dict:
        deadline = time.monotonic() + timeout_s
        while True:
            task = self.describe(arn)
            if predicate(task):
                return task
            if time.monotonic() > deadline:
                pytest.fail(f"not {what} within {timeout_s}s; task now:\n"
                            f"{json.dumps(task, default=str, indent=1)}", pytrace=False)
            time.sleep(interval)

    def cleanup(self) -> None:
        pending = []
        for arn in self.task_arns:
            try:
                task = self.ecs.describe_tasks(cluster=self.cluster, tasks=[arn])["tasks"]
                if task and task[0]["lastStatus"] != "STOPPED":
                    self.ecs.stop_task(cluster=self.cluster, task=arn, reason="api-compat cleanup")
                    pending.append(arn)
            except Exception:  # noqa: BLE001 - best effort; the module removes containers anyway
                pass
        deadline = time.monotonic() + 15
        while pending and time.monotonic() < deadline:
            try:
                tasks = self.ecs.describe_tasks(cluster=self.cluster, tasks=pending)["tasks"]
            except Exception:  # noqa: BLE001
                break
            pending = [t["taskArn"] for t in tasks if t["lastStatus"] != "STOPPED"]
            time.sleep(0.5)


@pytest.fixture
def box(world, request):
    b = Box(world, request.node.name)
    yield b
    if world.server.alive():
        b.cleanup()


def running_containers_of(task_arn: str) -> list[dict]:
    return ENGINE.containers(f"{TASK_LABEL}={task_arn}")


# ---------------------------------------------------------------------------------------------
# Tests

def test_webapp_task_runs_and_answers(box):
    td_arn = box.register([webapp()])
    resp = box.run(td_arn, startedBy="api-compat-docker")
    (task,) = resp["tasks"]
    arn = task["taskArn"]
    task_id = arn.rsplit("/", 1)[1]
    assert task["lastStatus"] in PRE_RUNNING, task
    assert task["desiredStatus"] == "RUNNING"
    assert task["launchType"] == "EC2"

    (task,) = box.wait_running(arn)
    assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING"
    assert task["clusterArn"] == box.cluster_arn
    assert task["taskDefinitionArn"] == td_arn
    assert task["startedBy"] == "api-compat-docker"
    assert task["group"] == f"family:{td_arn.rsplit('/', 1)[1].split(':')[0]}"
    for key in ("createdAt", "startedAt"):
        assert key in task, key
    assert "stoppedAt" not in task and "stopCode" not in task
    (instance_arn,) = box.ecs.list_container_instances(cluster=box.cluster)["containerInstanceArns"]
    assert task["containerInstanceArn"] == instance_arn

    web = container_of(task, "web")
    assert web["lastStatus"] == "RUNNING"
    assert web["taskArn"] == arn
    assert web["image"] == WEBAPP
    assert web["memory"] == "64"
    assert web["healthStatus"] == "UNKNOWN"  # no health check
    assert "exitCode" not in web
    assert re.fullmatch(r"[0-9a-f]{64}", web.get("runtimeId", "")), web

    # The Docker container behind it: same id, ECS's labels, ecsbox's name, running.
    info = ENGINE.inspect(web["runtimeId"])
    assert info is not None, f"no container {web['runtimeId']}"
    assert info["Id"] == web["runtimeId"]
    assert info["Name"] == f"/ecsbox-{task_id}-web"
    assert info["State"]["Running"] is True
    labels = info["Config"]["Labels"]
    assert labels[TASK_LABEL] == arn
    assert labels["com.amazonaws.ecs.container-name"] == "web"
    # The agent labels EC2 containers with the cluster as configured, Fargate with its ARN.
    assert labels[CLUSTER_LABEL] in (box.cluster, box.cluster_arn)
    assert labels["com.amazonaws.ecs.task-definition-family"] == td_arn.rsplit("/", 1)[1].split(":")[0]
    assert labels["com.amazonaws.ecs.task-definition-version"] == "1"
    assert [c["Id"] for c in running_containers_of(arn)] == [web["runtimeId"]]

    # networkBindings: the published ephemeral port, as Docker reports it.
    port = host_port(task)
    for b in web["networkBindings"]:
        assert set(b) >= {"bindIP", "containerPort", "hostPort", "protocol"}, b
        assert b["protocol"] == "tcp"
    assert "0.0.0.0" in [b["bindIP"] for b in web["networkBindings"]], web["networkBindings"]
    published = {int(p["HostPort"]) for p in info["NetworkSettings"]["Ports"]["8080/tcp"]}
    assert published == {b["hostPort"] for b in web["networkBindings"]}
    assert port in published

    status, body = http_get(port)
    assert status == 200, body
    # The app learnt its task id from the task metadata endpoint, as apps on ECS do.
    assert re.fullmatch(rf"task={task_id} host=\S+", body.strip()), body
    assert body.strip().endswith(f"host={info['Config']['Hostname']}"), (body, info["Config"]["Hostname"])

    listed = box.ecs.list_tasks(cluster=box.cluster)["taskArns"]
    assert listed == [arn]


def test_containers_reach_task_metadata_and_the_api(box):
    """ECS_CONTAINER_METADATA_URI_V4 and AWS_ENDPOINT_URL, used from inside a running container
    (ecsbox listens on loopback, so this goes through its listener on the Docker bridge)."""
    td_arn = box.register([webapp(), busybox("side", ["sleep", "600"], essential=False)])
    arn = box.run(td_arn)["tasks"][0]["taskArn"]
    (task,) = box.wait_running(arn)
    port = host_port(task)
    web = container_of(task, "web")

    status, body = http_get(port, "/metadata")
    assert status == 200, body
    container = json.loads(body)
    assert container["DockerId"] == web["runtimeId"]
    assert container["Name"] == "web"
    assert container["KnownStatus"] == "RUNNING"
    assert container["Labels"][TASK_LABEL] == arn
    assert container["Limits"]["Memory"] == 64
    assert container["Networks"][0]["NetworkMode"] == "bridge"
    assert container["Networks"][0]["IPv4Addresses"] == [ENGINE.inspect(web["runtimeId"])["NetworkSettings"]["IPAddress"]]

    status, body = http_get(port, "/metadata/task")
    assert status == 200, body
    meta = json.loads(body)
    assert meta["TaskARN"] == arn
    assert meta["Cluster"] == box.cluster_arn
    assert meta["KnownStatus"] == "RUNNING"
    assert sorted(c["Name"] for c in meta["Containers"]) == ["side", "web"]

    status, body = http_get(port, "/metadata/stats")
    assert status == 200, body
    assert json.loads(body)["memory_stats"]["usage"] > 0
    status, body = http_get(port, "/metadata/task/stats")
    assert status == 200, body
    assert set(json.loads(body)) == {c["runtimeId"] for c in task["containers"]}

    status, body = http_get(port, "/aws")
    assert status == 200, body
    assert box.cluster_arn in json.loads(body)["clusterArns"]


def test_container_port_range_is_published(box):
    # Debian's botocore predates containerPortRange: register through the model ecsbox serves.
    models = current_model_data_path()
    try:
        ecs = make_client(box.world.server.endpoint, data_path=models)
        td_arn = ecs.register_task_definition(
            family=f"{box.cluster}-range",
            containerDefinitions=[webapp(portMappings=[{"containerPortRange": "8080-8082"}])],
        )["taskDefinition"]["taskDefinitionArn"]
    finally:
        shutil.rmtree(models, ignore_errors=True)
    arn = box.run(td_arn)["tasks"][0]["taskArn"]
    (task,) = box.wait_running(arn)
    bindings = container_of(task, "web")["networkBindings"]
    assert {b["containerPort"] for b in bindings} == {8080, 8081, 8082}, bindings
    assert all(b["hostPort"] > 0 for b in bindings), bindings
    status, body = http_get(host_port(task))
    assert status == 200, body


def test_essential_container_exit_stops_task(box):
    task = box.run_one([webapp()])
    arn = task["taskArn"]
    (task,) = box.wait_running(arn)
    runtime_id = container_of(task, "web")["runtimeId"]
    ask_to_exit(host_port(task), 7)

    (task,) = box.wait_stopped(arn)
    assert task["lastStatus"] == "STOPPED" and task["desiredStatus"] == "STOPPED"
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    for key in ("stoppingAt", "executionStoppedAt", "stoppedAt"):
        assert key in task, key
    web = container_of(task, "web")
    assert web["lastStatus"] == "STOPPED"
    assert web["exitCode"] == 7
    assert "reason" not in web, web  # ECS sets a container reason for errors, not for an exit
    assert web["runtimeId"] == runtime_id
    assert ENGINE.inspect(runtime_id) is None, "the container outlived its STOPPED task"
    assert running_containers_of(arn) == []
    assert box.ecs.list_tasks(cluster=box.cluster)["taskArns"] == []
    assert box.ecs.list_tasks(cluster=box.cluster, desiredStatus="STOPPED")["taskArns"] == [arn]


def test_stop_task_sigterm_then_sigkill(box):
    web_arn = box.run_one([webapp()])["taskArn"]
    sleeper_arn = box.run_one([busybox("sleeper", ["sleep", "1000"], stopTimeout=2)])["taskArn"]
    box.wait_running(web_arn, sleeper_arn)

    # The webapp honours SIGTERM: exit 143, well before its stopTimeout.
    reason = "api-compat: stop the web task"
    started = time.monotonic()
    stopped = box.ecs.stop_task(cluster=box.cluster, task=web_arn, reason=reason)["task"]
    assert stopped["taskArn"] == web_arn
    assert stopped["desiredStatus"] == "STOPPED"
    assert stopped["stoppedReason"] == reason
    assert stopped["stopCode"] == "UserInitiated"
    task = box.poll(web_arn, lambda t: t["lastStatus"] == "STOPPED", 10, "STOPPED")
    assert time.monotonic() - started < 5
    assert task["stopCode"] == "UserInitiated"
    assert task["stoppedReason"] == reason
    web = container_of(task, "web")
    assert web["exitCode"] == 143, web
    assert ENGINE.inspect(web["runtimeId"]) is None

    # `sleep` as PID 1 ignores SIGTERM: SIGKILL after the container's stopTimeout (2 s).
    runtime_id = container_of(box.describe(sleeper_arn), "sleeper")["runtimeId"]
    started = time.monotonic()
    box.ecs.stop_task(cluster=box.cluster, task=sleeper_arn, reason="sleeper must go")
    task = box.poll(sleeper_arn, lambda t: t["lastStatus"] == "STOPPED", 10, "STOPPED")
    elapsed = time.monotonic() - started
    assert 1.8 <= elapsed < 10, elapsed
    sleeper = container_of(task, "sleeper")
    assert sleeper["exitCode"] == 137, sleeper
    assert task["stopCode"] == "UserInitiated"
    assert task["stoppedReason"] == "sleeper must go"
    assert ENGINE.inspect(runtime_id) is None


def test_container_overrides_reach_the_container(box):
    script = 'echo "X=$X"; [ "$X" = from-override ] && [ "$Y" = kept ] && exit 4; exit 5'
    td_arn = box.register(
        [webapp(),
         busybox("side", ["sleep", "1"], essential=False,
                 environment=[{"name": "X", "value": "from-definition"},
                              {"name": "Y", "value": "kept"}])])
    overrides = {"containerOverrides": [{
        "name": "side", "command": ["sh", "-c", script],
        "environment": [{"name": "X", "value": "from-override"}],
        "cpu": 128, "memory": 48}]}
    (task,) = box.run(td_arn, overrides=overrides)["tasks"]
    arn = task["taskArn"]
    box.wait_running(arn)
    task = box.poll(arn, lambda t: "exitCode" in container_of(t, "side"), 15, "side exited")

    # The overridden command ran (exit 4 needs both variables) and the task goes on running.
    side = container_of(task, "side")
    assert side["exitCode"] == 4, side
    assert side["lastStatus"] == "STOPPED"
    assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING"
    assert task["overrides"]["containerOverrides"] == overrides["containerOverrides"]

    info = ENGINE.inspect(side["runtimeId"])
    assert info is not None
    env = info["Config"]["Env"]
    assert "X=from-override" in env and "Y=kept" in env, env
    assert "X=from-definition" not in env, env
    assert info["Config"]["Cmd"] == ["sh", "-c", script]
    assert info["HostConfig"]["Memory"] == 48 * 1024 * 1024
    assert info["HostConfig"]["CpuShares"] == 128
    assert info["State"]["ExitCode"] == 4


def test_propagated_tags(box):
    td_arn = box.register([busybox("c", ["sleep", "1000"])],
                          tags=[{"key": "team", "value": "qa"}, {"key": "tier", "value": "td"}])
    (task,) = box.run(td_arn, propagateTags="TASK_DEFINITION",
                      tags=[{"key": "run", "value": "1"}])["tasks"]
    got = box.describe(task["taskArn"])["tags"]
    assert sorted((t["key"], t["value"]) for t in got) == [
        ("run", "1"), ("team", "qa"), ("tier", "td")], got
    assert sorted((t["key"], t["value"]) for t in box.ecs.list_tags_for_resource(
        resourceArn=task["taskArn"])["tags"]) == [("run", "1"), ("team", "qa"), ("tier", "td")]


def test_non_essential_exit_keeps_task_essential_exit_stops_all(box):
    task = box.run_one([
        webapp("app"),
        busybox("side", ["sh", "-c", "exit 3"], essential=False),
        webapp("helper", essential=False, portMappings=[]),
    ])
    arn = task["taskArn"]
    box.wait_running(arn)
    task = box.poll(arn, lambda t: "exitCode" in container_of(t, "side"), 15, "side exited")
    assert container_of(task, "side")["exitCode"] == 3
    time.sleep(2)  # a task that were going to stop for it would be stopping by now
    task = box.describe(arn)
    assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING", task
    assert container_of(task, "app")["lastStatus"] == "RUNNING"
    assert container_of(task, "helper")["lastStatus"] == "RUNNING"
    helper_id = container_of(task, "helper")["runtimeId"]
    assert ENGINE.inspect(helper_id)["State"]["Running"] is True

    ask_to_exit(host_port(task, "app"), 0)
    (task,) = box.wait_stopped(arn)
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["stoppedReason"] == "Essential container in task exited"
    assert container_of(task, "app")["exitCode"] == 0
    assert container_of(task, "side")["exitCode"] == 3
    helper = container_of(task, "helper")
    assert helper["lastStatus"] == "STOPPED"
    assert helper["exitCode"] == 143, helper  # stopped by ECS with SIGTERM
    assert running_containers_of(arn) == []


def test_depends_on_success(box):
    init = busybox("init", ["sh", "-c", "sleep 1; exit 0"], essential=False)
    app = webapp("app", dependsOn=[{"containerName": "init", "condition": "SUCCESS"}])
    arn = box.run_one([init, app])["taskArn"]
    (task,) = box.wait_running(arn)
    init_c, app_c = container_of(task, "init"), container_of(task, "app")
    assert init_c["lastStatus"] == "STOPPED" and init_c["exitCode"] == 0, init_c
    assert app_c["lastStatus"] == "RUNNING", app_c
    init_info, app_info = ENGINE.inspect(init_c["runtimeId"]), ENGINE.inspect(app_c["runtimeId"])
    assert parse_time(app_info["State"]["StartedAt"]) >= parse_time(init_info["State"]["FinishedAt"]), (
        init_info["State"], app_info["State"])
    status, _ = http_get(host_port(task, "app"))
    assert status == 200


def test_depends_on_success_failed(box):
    init = busybox("init", ["sh", "-c", "exit 1"], essential=False)
    app = webapp("app", dependsOn=[{"containerName": "init", "condition": "SUCCESS"}])
    arn = box.run_one([init, app])["taskArn"]
    (task,) = box.wait_stopped(arn)
    assert task["stopCode"] == "TaskFailedToStart", task
    assert task["stoppedReason"], task
    assert container_of(task, "init")["exitCode"] == 1
    app_c = container_of(task, "app")
    assert app_c["lastStatus"] == "STOPPED"
    assert "exitCode" not in app_c, app_c  # it never ran
    assert running_containers_of(arn) == []


def test_health_check(box):
    check = {"command": ["CMD-SHELL", "wget -q -O- localhost:8080/health"],
             "interval": 5, "timeout": 3, "retries": 2}
    arn = box.run_one([webapp(healthCheck=check)])["taskArn"]
    (task,) = box.wait_running(arn)
    assert task["healthStatus"] in ("UNKNOWN", "HEALTHY"), task["healthStatus"]
    info = ENGINE.inspect(container_of(task, "web")["runtimeId"])
    assert info["Config"]["Healthcheck"] == {
        "Test": check["command"], "Interval": 5 * 10**9, "Timeout": 3 * 10**9, "Retries": 2}
    task = box.poll(arn, lambda t: t["healthStatus"] == "HEALTHY", 20, "HEALTHY")
    assert container_of(task, "web")["healthStatus"] == "HEALTHY"

    status, _ = http_get(host_port(task), "/unhealthy")
    assert status == 200
    task = box.poll(arn, lambda t: t["healthStatus"] == "UNHEALTHY", 25, "UNHEALTHY")
    assert container_of(task, "web")["healthStatus"] == "UNHEALTHY"


def test_image_that_cannot_be_pulled(box):
    arn = box.run_one([busybox("c", ["true"], image=UNPULLABLE)])["taskArn"]
    (task,) = box.wait_stopped(arn, attempts=60)
    assert task["desiredStatus"] == "STOPPED"
    assert task["stopCode"] == "TaskFailedToStart", task
    assert task["stoppedReason"].startswith("CannotPullContainerError:"), task["stoppedReason"]
    c = container_of(task, "c")
    assert c["lastStatus"] == "STOPPED"
    assert c.get("reason", "").startswith("CannotPullContainerError:"), c
    assert "exitCode" not in c
    assert running_containers_of(arn) == []


def test_host_volume(box, tmp_path):
    host_dir = tmp_path / "data"
    host_dir.mkdir()
    os.chmod(host_dir, 0o777)
    td_arn = box.register(
        [busybox("writer", ["sh", "-c", "echo hi > /data/out"],
                 mountPoints=[{"sourceVolume": "data", "containerPath": "/data"}])],
        volumes=[{"name": "data", "host": {"sourcePath": str(host_dir)}}])
    (task,) = box.run(td_arn)["tasks"]
    (task,) = box.wait_stopped(task["taskArn"])
    assert container_of(task, "writer")["exitCode"] == 0, task
    assert task["stopCode"] == "EssentialContainerExited"
    assert (host_dir / "out").read_text() == "hi\n"


def _instance(box, instance_arn) -> dict:
    resp = box.ecs.describe_container_instances(cluster=box.cluster,
                                                containerInstances=[instance_arn])
    assert resp["failures"] == [], resp
    (ci,) = resp["containerInstances"]
    assert ci["containerInstanceArn"] == instance_arn
    return ci


def _resources(ci: dict, which: str) -> dict[str, int]:
    return {r["name"]: r["integerValue"] for r in ci[which] if r["type"] == "INTEGER"}


def _check_registered(ci: dict) -> dict[str, int]:
    """The engine's size: CPU units = cores * 1024, MEMORY in MiB (at most the engine's)."""
    engine = ENGINE.info()
    nproc = len(os.sched_getaffinity(0))
    registered = _resources(ci, "registeredResources")
    assert registered["CPU"] == nproc * 1024 == engine["NCPU"] * 1024, (
        ci["registeredResources"], nproc, engine["NCPU"])
    assert 0 < registered["MEMORY"] <= engine["MemTotal"] // (1024 * 1024), ci["registeredResources"]
    return registered


def test_new_cluster_has_the_local_container_instance(box):
    """The local engine becomes a container instance of a cluster when the cluster first runs
    a task, as an agent registers when it joins; it then holds the task's reservation."""
    fresh = f"{box.cluster}-fresh"
    box.ecs.create_cluster(clusterName=fresh)
    assert box.ecs.list_container_instances(cluster=fresh)["containerInstanceArns"] == []
    box.ecs.delete_cluster(cluster=fresh)
    td_arn = box.register([busybox("c", ["sleep", "1000"], cpu=128, memory=32)])
    (task,) = box.run(td_arn)["tasks"]
    box.wait_running(task["taskArn"])
    box.ecs.stop_task(cluster=box.cluster, task=task["taskArn"])
    box.wait_stopped(task["taskArn"])
    arns = box.ecs.list_container_instances(cluster=box.cluster)["containerInstanceArns"]
    assert len(arns) == 1, arns
    (instance_arn,) = arns
    assert instance_arn.startswith(
        f"arn:aws:ecs:us-east-1:000000000000:container-instance/{box.cluster}/"), instance_arn
    ci = _instance(box, instance_arn)
    assert ci["status"] == "ACTIVE"
    assert ci["agentConnected"] is True
    assert ci["runningTasksCount"] == 0 and ci["pendingTasksCount"] == 0
    registered = _check_registered(ci)
    assert _resources(ci, "remainingResources") == registered


def test_container_instance_counts_running_tasks(box):
    # Two running tasks are counted and their reservations subtracted.
    td_arn = box.register([busybox("c", ["sleep", "1000"], cpu=128, memory=32)])
    arns = [t["taskArn"] for t in box.run(td_arn, count=2, startedBy="ci-test")["tasks"]]
    running = box.wait_running(*arns)
    (instance_arn,) = box.ecs.list_container_instances(cluster=box.cluster)["containerInstanceArns"]
    for t in running:
        assert t["containerInstanceArn"] == instance_arn
    ci = _instance(box, instance_arn)
    assert ci["status"] == "ACTIVE" and ci["agentConnected"] is True
    registered = _check_registered(ci)
    assert ci["runningTasksCount"] == 2, ci
    assert ci["pendingTasksCount"] == 0, ci
    assert _resources(ci, "remainingResources") == {
        "CPU": registered["CPU"] - 256, "MEMORY": registered["MEMORY"] - 64}

    # Too big for what is left: RunTask answers failures[] naming the instance, runs nothing.
    too_much_memory = box.register([busybox("c", ["true"], memory=registered["MEMORY"])])
    resp = box.run(too_much_memory, expect_failures=True)
    assert resp["tasks"] == []
    assert resp["failures"] == [{"arn": instance_arn, "reason": "RESOURCE:MEMORY"}]
    too_much_cpu = box.register([busybox("c", ["true"], cpu=registered["CPU"])])
    resp = box.run(too_much_cpu, expect_failures=True)
    assert resp["tasks"] == []
    assert resp["failures"] == [{"arn": instance_arn, "reason": "RESOURCE:CPU"}]

    box.ecs.stop_task(cluster=box.cluster, task=arns[0])
    box.wait_stopped(arns[0])
    ci = _instance(box, instance_arn)
    assert ci["runningTasksCount"] == 1, ci
    assert _resources(ci, "remainingResources") == {
        "CPU": registered["CPU"] - 128, "MEMORY": registered["MEMORY"] - 32}

    def listed(**kw):
        return box.ecs.list_tasks(cluster=box.cluster, **kw)["taskArns"]

    assert listed(containerInstance=instance_arn) == [arns[1]]
    assert listed(containerInstance=instance_arn.rsplit("/", 1)[1]) == [arns[1]]
    assert listed(desiredStatus="STOPPED") == [arns[0]]
    assert listed(startedBy="ci-test") == [arns[1]]
    assert listed(family=td_arn.rsplit("/", 1)[1].split(":")[0]) == [arns[1]]
    assert listed(launchType="EC2") == [arns[1]]
    assert listed(launchType="FARGATE") == []
    page = box.ecs.list_tasks(cluster=box.cluster, maxResults=1)
    assert page["taskArns"] == [arns[1]] and "nextToken" not in page, page


def _cli(world, *args, timeout=120):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PAGER": "",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"})
    cmd = [AWS, "--endpoint-url", world.server.endpoint, "--output", "json", "ecs", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    where = f"$ {shlex.join(cmd)}\nexit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc, where


def test_cli_v2_waiters(world, box):
    if not Path(AWS).exists():
        pytest.fail(f"AWS CLI v2 not found at {AWS} (apt-get install awscli)", pytrace=False)
    good_td = box.register([webapp()])
    bad_td = box.register([busybox("c", ["true"], image=UNPULLABLE)])
    proc, where = _cli(world, "run-task", "--cluster", box.cluster, "--task-definition", good_td)
    assert proc.returncode == 0, where
    good = json.loads(proc.stdout)["tasks"][0]["taskArn"]
    box.task_arns.append(good)
    bad = box.run(bad_td)["tasks"][0]["taskArn"]

    proc, where = _cli(world, "wait", "tasks-running", "--cluster", box.cluster, "--tasks", good)
    assert proc.returncode == 0, where
    assert box.describe(good)["lastStatus"] == "RUNNING"

    # A task that stops instead of running is the waiter's failure state.
    proc, where = _cli(world, "wait", "tasks-running", "--cluster", box.cluster, "--tasks", bad)
    assert proc.returncode == 255, where
    assert "Waiter TasksRunning failed" in proc.stderr, where

    proc, where = _cli(world, "stop-task", "--cluster", box.cluster, "--task", good,
                       "--reason", "cli stop")
    assert proc.returncode == 0, where
    assert json.loads(proc.stdout)["task"]["desiredStatus"] == "STOPPED"
    proc, where = _cli(world, "wait", "tasks-stopped", "--cluster", box.cluster, "--tasks", good, bad)
    assert proc.returncode == 0, where
    task = box.describe(good)
    assert task["lastStatus"] == "STOPPED"
    assert task["stoppedReason"] == "cli stop", (task, world.server.log_tail(30))
    assert container_of(task, "web")["exitCode"] == 143


def test_restart_adopts_running_containers(world, box):
    """Runs last but one: it kills the module's server and restarts it on the same data dir."""
    arn = box.run_one([webapp()])["taskArn"]
    (task,) = box.wait_running(arn)
    runtime_id = container_of(task, "web")["runtimeId"]
    port = host_port(task)

    world.server.kill9()
    world.server.restart()
    world.renew_client()
    time.sleep(3)  # a reconcile round and an orphan sweep (it runs at once on start)

    task = box.describe(arn)
    assert task["lastStatus"] == "RUNNING", task
    assert container_of(task, "web")["runtimeId"] == runtime_id
    assert [c["Id"] for c in running_containers_of(arn)] == [runtime_id]
    assert ENGINE.inspect(runtime_id)["State"]["Running"] is True
    assert host_port(task) == port
    assert http_get(port)[0] == 200

    # The container disappears behind ecsbox's back: the task stops, saying why.
    assert ENGINE.remove(runtime_id)
    task = box.poll(arn, lambda t: t["lastStatus"] == "STOPPED", 20, "STOPPED after docker rm -f")
    assert task["desiredStatus"] == "STOPPED"
    # `docker rm -f` kills before it removes, so ecsbox may see the kill (exit 137) or the
    # disappearance first; either way the task stops as its essential container is gone.
    assert task["stopCode"] == "EssentialContainerExited", json.dumps(task, default=str, indent=1)
    assert ("no longer exist" in task["stoppedReason"]
            or task["stoppedReason"] == "Essential container in task exited"), task["stoppedReason"]
    assert running_containers_of(arn) == []


def test_module_leaves_no_stray_containers(world):
    """Every test stopped its tasks: no container of this module is left (STOPPED tasks' ones
    are removed at once, by the reconciler)."""
    deadline = time.monotonic() + 15
    while _our_containers() and time.monotonic() < deadline:
        time.sleep(0.5)
    left = [(c["Names"], c["State"], c["Labels"].get(TASK_LABEL)) for c in _our_containers()]
    assert left == []

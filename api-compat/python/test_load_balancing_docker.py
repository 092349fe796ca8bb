"""ECS services behind ecsbox's built-in load balancer, with tasks as real Docker containers:
a service of 3 tasks registered in an ALB target group answers in turn on new connections and on
one kept-alive connection; a rolling update under continuous load fails no request; a task killed
under load loses at most the requests in flight to it, and is replaced. Driven through boto3 (ECS
and ELBv2) and plain HTTP, as a user would curl the load balancer.

Expected behaviour is ECS's with an Application Load Balancer: a task is registered (instance id
and host port, bridge network mode) once it runs, counts as healthy once its target is, and is
deregistered (draining) before it stops.

Skipped only when no Docker engine answers at $DOCKER_HOST (default /var/run/docker.sock).
"""
from __future__ import annotations

import http.client
import re
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest

from docker_engine import DockerEngine
from ecsbox_server import REPO_ROOT, EcsboxServer, free_port
from elbv2_support import FAST_HEALTH_CHECK, HEALTH_CHECK_SCALE, poll
from helpers import cluster_arn, make_client

ENGINE = DockerEngine()
_NO_ENGINE = ENGINE.ping()
if _NO_ENGINE:
    pytest.skip(f"no Docker engine answers ({_NO_ENGINE}): these tests run tasks as real containers",
                allow_module_level=True)

WEBAPP = "ecsbox-test/webapp:latest"
PREFIX = f"tlb-{uuid.uuid4().hex[:6]}"
CLUSTER_LABEL = "com.amazonaws.ecs.cluster"
TASK_RE = re.compile(r"task=([0-9a-f]+)")


@pytest.fixture(scope="module")
def server():
    if not ENGINE.image_exists(WEBAPP):
        build = REPO_ROOT / "fixtures" / "images" / "build"
        subprocess.run([str(build), "webapp"], check=True, capture_output=True, timeout=600)
    server = EcsboxServer(runtime="docker", extra_args=["--health-check-scale", str(HEALTH_CHECK_SCALE),
                                                        "--healthy-after-running", "2"])
    try:
        server.start_or_fail()
        yield server
    finally:
        server.cleanup()
        for c in ENGINE.containers(CLUSTER_LABEL):
            if (c.get("Labels") or {}).get(CLUSTER_LABEL, "").startswith(cluster_arn(PREFIX)):
                ENGINE.remove(c["Id"])


class Stack:
    """A cluster, an ALB with an HTTP listener on a free port, an instance target group, and a
    service of the webapp behind them; all deleted by close()."""

    def __init__(self, server: EcsboxServer, name: str, count: int = 3):
        self.ecs = make_client(server.endpoint)
        self.elb = make_client(server.endpoint, service="elbv2")
        self.cluster = f"{PREFIX}-{name}"
        self.service = "web"
        self.lb_arn = self.tg_arn = None
        self.ecs.create_cluster(clusterName=self.cluster)
        self.family = self.register("v1")
        self.lb_arn = self.elb.create_load_balancer(Name=f"{PREFIX}-{name}")["LoadBalancers"][0]["LoadBalancerArn"]
        self.tg_arn = self.elb.create_target_group(Name=f"{PREFIX}-{name}", Protocol="HTTP", Port=80,
                                                   TargetType="instance", **FAST_HEALTH_CHECK)[
            "TargetGroups"][0]["TargetGroupArn"]
        self.elb.modify_target_group_attributes(
            TargetGroupArn=self.tg_arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "2"}])
        self.port = free_port()
        self.elb.create_listener(LoadBalancerArn=self.lb_arn, Protocol="HTTP", Port=self.port,
                                 DefaultActions=[{"Type": "forward", "TargetGroupArn": self.tg_arn}])
        self.ecs.create_service(cluster=self.cluster, serviceName=self.service, taskDefinition=self.family,
                                desiredCount=count,
                                loadBalancers=[{"targetGroupArn": self.tg_arn, "containerName": "web",
                                                "containerPort": 8080}],
                                deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100})

    def register(self, version: str) -> str:
        return self.ecs.register_task_definition(
            family=f"{self.cluster}-web",
            containerDefinitions=[{"name": "web", "image": WEBAPP, "memory": 32, "stopTimeout": 2,
                                   "environment": [{"name": "VERSION", "value": version}],
                                   "portMappings": [{"containerPort": 8080, "hostPort": 0}]}])[
            "taskDefinition"]["taskDefinitionArn"]

    def running_tasks(self) -> set[str]:
        arns = self.ecs.list_tasks(cluster=self.cluster, serviceName=self.service)["taskArns"]
        return {arn.rsplit("/", 1)[1] for arn in arns}

    def wait_healthy(self, count: int, timeout: float = 60) -> None:
        def healthy():
            states = [d["TargetHealth"]["State"]
                      for d in self.elb.describe_target_health(TargetGroupArn=self.tg_arn)["TargetHealthDescriptions"]]
            return states.count("healthy") == count and len(states) == count
        poll(f"{count} healthy targets", healthy, timeout=timeout, interval=0.2)

    def close(self) -> None:
        try:
            self.ecs.delete_service(cluster=self.cluster, service=self.service, force=True)
        finally:
            if self.lb_arn:
                self.elb.delete_load_balancer(LoadBalancerArn=self.lb_arn)
            if self.tg_arn:
                poll("the target group free", lambda: self._delete_group(), timeout=30)

    def _delete_group(self) -> bool:
        self.elb.delete_target_group(TargetGroupArn=self.tg_arn)
        return True


@pytest.fixture
def stack(server, request):
    name = re.sub(r"[^a-z0-9]", "", request.node.name.lower())[-12:]
    made = Stack(server, name)
    try:
        yield made
    finally:
        made.close()


def task_of(body: str) -> str:
    found = TASK_RE.search(body)
    assert found, body
    return found.group(1)


class Load:
    """Requests sent without pause over a few kept-alive connections, until stop(): how many
    were answered 200, and every failure (an error status, a reset, a timeout)."""

    def __init__(self, port: int, connections: int = 4):
        self.port = port
        self.ok = 0
        self.failures: list[str] = []
        self.answered_by: Counter[str] = Counter()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(connections)]
        for t in self._threads:
            t.start()

    def _run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self._stop.is_set():
            try:
                conn.request("GET", "/")
                resp = conn.getresponse()
                body = resp.read().decode()
                with self._lock:
                    if resp.status == 200:
                        self.ok += 1
                        self.answered_by[task_of(body)] += 1
                    else:
                        self.failures.append(f"{resp.status} {body[:80]}")
            except (OSError, http.client.HTTPException) as exc:
                with self._lock:
                    self.failures.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=15)


def test_three_tasks_answer_in_turn_on_new_and_kept_alive_connections(stack):
    stack.wait_healthy(3)
    tasks = stack.running_tasks()
    assert len(tasks) == 3

    fresh = Counter()
    for _ in range(30):
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
        conn.request("GET", "/")
        fresh[task_of(conn.getresponse().read().decode())] += 1
        conn.close()
    assert fresh == {task: 10 for task in tasks}

    kept = Counter()
    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=10)
    for _ in range(30):
        conn.request("GET", "/")
        resp = conn.getresponse()
        assert resp.getheader("Connection") == "keep-alive"
        kept[task_of(resp.read().decode())] += 1
    conn.close()
    assert kept == {task: 10 for task in tasks}


def test_a_rolling_update_under_load_fails_no_request(stack):
    stack.wait_healthy(3)
    old = stack.running_tasks()
    load = Load(stack.port)
    try:
        time.sleep(0.5)
        stack.ecs.update_service(cluster=stack.cluster, service=stack.service,
                                 taskDefinition=stack.register("v2"))

        def completed():
            service = stack.ecs.describe_services(cluster=stack.cluster, services=[stack.service])["services"][0]
            primary = [d for d in service["deployments"] if d["status"] == "PRIMARY"][0]
            return len(service["deployments"]) == 1 and primary["rolloutState"] == "COMPLETED"
        poll("the rolling update completed", completed, timeout=120, interval=0.5)
        time.sleep(0.5)
    finally:
        load.stop()
    new = stack.running_tasks()
    assert not (new & old), "every old task was replaced"
    assert load.failures == [], f"{len(load.failures)} failed of {load.ok + len(load.failures)}"
    assert load.ok > 100
    assert set(load.answered_by) >= new, "the new tasks served"


def test_a_task_killed_under_load_loses_at_most_its_requests_in_flight(stack):
    stack.wait_healthy(3)
    victim = sorted(stack.running_tasks())[0]
    load = Load(stack.port)
    try:
        time.sleep(0.5)
        (container,) = [c for c in ENGINE.containers("com.amazonaws.ecs.task-arn")
                        if (c.get("Labels") or {}).get("com.amazonaws.ecs.task-arn", "").endswith(victim)]
        subprocess.run(["docker", "kill", container["Id"]], check=True, capture_output=True, timeout=30)
        poll("a replacement task", lambda: len(stack.running_tasks() - {victim}) == 3, timeout=60, interval=0.2)
        stack.wait_healthy(3)
        time.sleep(0.5)
    finally:
        load.stop()
    # At most one request in flight per connection can have been on the killed task.
    assert len(load.failures) <= 4, load.failures
    assert load.ok > 100

"""A rolling deployment survives a crash: ecsbox (with `--runtime docker`) is killed with
SIGKILL at several moments of a deployment, started again on the same data directory, and the
deployment resumes and converges with no duplicate, orphan or lost task and with true counts,
checked against what the Docker engine runs. This module runs its own server, since it kills it.

Tasks here have no container health check, so the server runs with `--healthy-after-running 0`
(ECS waits 40 s before such a task counts towards minimumHealthyPercent); the restart logic is
the same either way. Skipped only when no Docker engine answers.
"""
from __future__ import annotations

import subprocess
import time
import uuid

import pytest

from docker_engine import DockerEngine
from ecsbox_server import REPO_ROOT, EcsboxServer
from helpers import cluster_arn, make_client

ENGINE = DockerEngine()
_NO_ENGINE = ENGINE.ping()
if _NO_ENGINE:
    pytest.skip(f"no Docker engine answers ({_NO_ENGINE})", allow_module_level=True)

WEBAPP = "ecsbox-test/webapp:latest"
PREFIX = f"tsrv-{uuid.uuid4().hex[:6]}"
CLUSTER_LABEL = "com.amazonaws.ecs.cluster"
TASK_LABEL = "com.amazonaws.ecs.task-arn"
DESIRED = 3


def definition(release: int) -> dict:
    return {"family": f"{PREFIX}-web", "containerDefinitions": [{
        "name": "web", "image": WEBAPP, "memory": 32, "stopTimeout": 2,
        "environment": [{"name": "RELEASE", "value": str(release)}]}]}


def running_containers(cluster: str) -> list[dict]:
    return [c for c in ENGINE.containers(f"{CLUSTER_LABEL}={cluster_arn(cluster)}") if c.get("State") == "running"]


def wait(predicate, what: str, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def server():
    if not ENGINE.image_exists(WEBAPP):
        subprocess.run([str(REPO_ROOT / "fixtures/images/build"), "webapp"], check=True, capture_output=True)
    server = EcsboxServer(runtime="docker", extra_args=["--healthy-after-running", "0"])
    try:
        server.start_or_fail()
        yield server
    finally:
        server.cleanup()
        for c in ENGINE.containers(CLUSTER_LABEL):
            if (c.get("Labels") or {}).get(CLUSTER_LABEL, "").startswith(cluster_arn(PREFIX)):
                ENGINE.remove(c["Id"])


@pytest.mark.parametrize("kill_after_s", [0.0, 0.4, 1.5])
def test_a_deployment_killed_mid_way_resumes_without_duplicates(server, kill_after_s):
    cluster = f"{PREFIX}-{int(kill_after_s * 10)}"
    ecs = make_client(server.endpoint)
    ecs.create_cluster(clusterName=cluster)
    first = ecs.register_task_definition(**definition(1))["taskDefinition"]["taskDefinitionArn"]
    second = ecs.register_task_definition(**definition(2))["taskDefinition"]["taskDefinitionArn"]
    try:
        ecs.create_service(cluster=cluster, serviceName="web", taskDefinition=first, desiredCount=DESIRED,
                           deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100})
        ecs.get_waiter("services_stable").wait(cluster=cluster, services=["web"], WaiterConfig={"Delay": 1})

        ecs.update_service(cluster=cluster, service="web", taskDefinition=second)
        time.sleep(kill_after_s)
        server.kill9()
        server.restart()
        ecs = make_client(server.endpoint)

        def converged():
            s = ecs.describe_services(cluster=cluster, services=["web"])["services"][0]
            d = s["deployments"]
            return (len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and d[0]["taskDefinition"] == second
                    and s["runningCount"] == DESIRED and len(running_containers(cluster)) == DESIRED and s)

        service = wait(converged, "the deployment to complete after the restart")
        assert service["pendingCount"] == 0
        arns = ecs.list_tasks(cluster=cluster, serviceName="web")["taskArns"]
        assert len(arns) == DESIRED
        tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
        assert {t["taskDefinitionArn"] for t in tasks} == {second}
        assert all(t["lastStatus"] == "RUNNING" for t in tasks)
        # One container per task, each a task the service knows: no duplicate, no orphan.
        containers = running_containers(cluster)
        assert sorted(c["Labels"][TASK_LABEL] for c in containers) == sorted(arns)
        assert {c["Id"] for c in containers} == {t["containers"][0]["runtimeId"] for t in tasks}
        # The old revision's tasks all stopped, none lost in between.
        stopped = ecs.list_tasks(cluster=cluster, serviceName="web", desiredStatus="STOPPED")["taskArns"]
        old = ecs.describe_tasks(cluster=cluster, tasks=stopped)["tasks"] if stopped else []
        assert sum(1 for t in old if t["taskDefinitionArn"] == first) == DESIRED
        # Nor was a new task started twice and one of them stopped again.
        assert not [t["taskArn"] for t in old if t["taskDefinitionArn"] == second]
    finally:
        ecs.delete_service(cluster=cluster, service="web", force=True)
        ecs.get_waiter("services_inactive").wait(cluster=cluster, services=["web"], WaiterConfig={"Delay": 1})
        wait(lambda: not running_containers(cluster), "the service's containers to go")

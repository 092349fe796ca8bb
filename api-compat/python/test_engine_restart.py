"""The Docker engine stops and comes back while ecsbox runs (ECS: the agent loses its engine).
The API must keep answering, a task launched meanwhile waits in PENDING, and once the engine is
back ecsbox converges: the task whose container died with the engine is STOPPED with a reason,
and the waiting one runs.

The engine here is a private dockerd (see private_engine.py), so the test can restart it freely
without touching the machine's engine. Skipped only where no dockerd can be started (not root,
or docker.io not installed); CI has both."""
from __future__ import annotations

import time
import uuid

import pytest

from docker_engine import DockerEngine
from ecsbox_server import EcsboxServer
from helpers import make_client
from private_engine import PrivateEngine

BUSYBOX = "ecsbox-test/busybox:latest"
MAIN_ENGINE = DockerEngine()

_WHY_NOT = PrivateEngine.available() or MAIN_ENGINE.ping()
if _WHY_NOT:
    pytest.skip(f"cannot run a private Docker engine: {_WHY_NOT}", allow_module_level=True)


@pytest.fixture(scope="module")
def engine():
    if not MAIN_ENGINE.image_exists(BUSYBOX):
        pytest.fail(f"{BUSYBOX} is missing: run fixtures/images/build", pytrace=False)
    e = PrivateEngine()
    try:
        e.start()
        e.copy_image_from(MAIN_ENGINE, BUSYBOX)
        yield e
    finally:
        e.cleanup()


@pytest.fixture(scope="module")
def server(engine):
    s = EcsboxServer(runtime="docker", env={"DOCKER_HOST": engine.host}).start_or_fail()
    yield s
    s.cleanup()


def wait_for(ecs, cluster, arn, predicate, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    while True:
        (task,) = ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]
        if predicate(task):
            return task
        if time.monotonic() > deadline:
            pytest.fail(f"task not {what} within {timeout_s}s: {task}", pytrace=False)
        time.sleep(0.25)


def test_engine_restart_while_ecsbox_runs(engine, server):
    ecs = make_client(server.endpoint)
    cluster = f"engine-restart-{uuid.uuid4().hex[:6]}"
    ecs.create_cluster(clusterName=cluster)
    # No network: the private engine has no bridge. sleep ignores SIGTERM, so a short stop timeout.
    td = ecs.register_task_definition(
        family=cluster, networkMode="none",
        containerDefinitions=[{"name": "sleeper", "image": BUSYBOX, "memory": 16, "stopTimeout": 1,
                               "command": ["sleep", "600"]}])["taskDefinition"]["taskDefinitionArn"]

    before = ecs.run_task(cluster=cluster, taskDefinition=td)["tasks"][0]["taskArn"]
    wait_for(ecs, cluster, before, lambda t: t["lastStatus"] == "RUNNING", 30, "RUNNING")

    engine.stop()
    # The API answers without the engine, and a new task is accepted but cannot start.
    assert any(arn.endswith("/" + cluster) for arn in ecs.list_clusters()["clusterArns"])
    during = ecs.run_task(cluster=cluster, taskDefinition=td)
    assert during["failures"] == [], during
    waiting = during["tasks"][0]["taskArn"]
    time.sleep(3)
    (task,) = ecs.describe_tasks(cluster=cluster, tasks=[waiting])["tasks"]
    assert task["lastStatus"] in ("PROVISIONING", "PENDING"), task
    assert task["desiredStatus"] == "RUNNING"

    engine.start()
    ran = wait_for(ecs, cluster, waiting, lambda t: t["lastStatus"] == "RUNNING", 60, "RUNNING after the engine came back")
    assert ran["containers"][0]["runtimeId"]
    assert engine.engine.inspect(ran["containers"][0]["runtimeId"])["State"]["Running"] is True

    # The container of the first task was stopped with the engine: its task stops, with a reason.
    gone = wait_for(ecs, cluster, before, lambda t: t["lastStatus"] == "STOPPED", 60, "STOPPED")
    assert gone["stopCode"] == "EssentialContainerExited", gone
    assert gone["stoppedReason"] == "Essential container in task exited", gone["stoppedReason"]
    assert "exitCode" in gone["containers"][0] or gone["containers"][0].get("reason"), gone

    ecs.stop_task(cluster=cluster, task=waiting, reason="test over")
    wait_for(ecs, cluster, waiting, lambda t: t["lastStatus"] == "STOPPED", 30, "STOPPED")
    # Nothing of the test's is left on the engine.
    deadline = time.monotonic() + 15
    while engine.engine.containers("com.amazonaws.ecs.task-arn") and time.monotonic() < deadline:
        time.sleep(0.25)
    assert engine.engine.containers("com.amazonaws.ecs.task-arn") == []

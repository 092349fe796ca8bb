"""Fixtures: one ecsbox per test session (process and data dir removed at the end), boto3 clients
pointed at it, and fresh names so tests sharing the server never collide."""
from __future__ import annotations

import re
import shutil
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ecsbox_server import EcsboxServer  # noqa: E402
from helpers import current_model_data_path, make_client  # noqa: E402


@pytest.fixture(scope="session")
def ecsbox():
    """The session's server. Tasks without health checks count as healthy at once, not after
    ECS's 40 s, so rolling deployments finish in test time (test_services_docker.py checks the
    40 s rule itself)."""
    server = EcsboxServer(extra_args=["--healthy-after-running", "0"]).start_or_fail()
    yield server
    alive = server.alive()
    tail = server.log_tail()
    server.cleanup()
    if not alive:
        sys.stderr.write(f"\necsbox died during the session; last log lines:\n{tail}\n")


@pytest.fixture(autouse=True)
def _server_still_alive(request):
    """A test that crashed the session's server fails, instead of the tests after it."""
    yield
    if "ecsbox" in request.fixturenames:
        server = request.getfixturevalue("ecsbox")
        assert server.alive(), f"ecsbox died during this test:\n{server.log_tail()}"


@pytest.fixture(scope="session")
def model_data_path():
    path = current_model_data_path()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def ecs(ecsbox):
    """boto3 ECS client, Debian's stock botocore model, us-east-1."""
    return make_client(ecsbox.endpoint)


@pytest.fixture(scope="session")
def ecs_current(ecsbox, model_data_path):
    """boto3 ECS client with the current ECS model (DeleteTaskDefinitions, newer settings)."""
    return make_client(ecsbox.endpoint, data_path=model_data_path)


@pytest.fixture(scope="session")
def ecs_eu(ecsbox):
    """boto3 ECS client signing for eu-west-1."""
    return make_client(ecsbox.endpoint, region="eu-west-1")


@pytest.fixture(scope="session")
def ecr(ecsbox):
    """boto3 ECR client, Debian's stock botocore model, us-east-1."""
    return make_client(ecsbox.endpoint, service="ecr")


@pytest.fixture(scope="session")
def ecr_current(ecsbox, model_data_path):
    """boto3 ECR client with the current ECR model (tag mutability exclusion filters)."""
    return make_client(ecsbox.endpoint, data_path=model_data_path, service="ecr")


@pytest.fixture(scope="session")
def ecr_west(ecsbox):
    """boto3 ECR client signing for us-west-2."""
    return make_client(ecsbox.endpoint, region="us-west-2", service="ecr")


@pytest.fixture
def unique_name(request):
    """A fresh name per test, valid as a cluster name and as a task definition family (not as
    an ECR repository name, which must be lower case: see repo_name)."""
    base = re.sub(r"[^A-Za-z0-9_-]", "-", request.node.name)[:40].strip("-")
    return f"{base}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def repo_name(request):
    """A factory of fresh ECR repository names (lower case, '-' separated) that name the test:
    repo_name() -> 'test-x-<hex>', repo_name('team/') -> 'team/test-x-<hex>'."""
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:40].strip("-")

    def make(prefix: str = "") -> str:
        return f"{prefix}{base}-{uuid.uuid4().hex[:8]}"
    return make


@pytest.fixture
def new_name():
    """A factory for tests that need several names: new_name('x') -> 'x-<hex>'."""
    def make(prefix: str = "n") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:10]}"
    return make

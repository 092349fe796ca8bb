"""ECR as a real registry, driven by the plain docker CLI and Docker engine: log in with the AWS
CLI's password, push a multi-layer image from fixtures/images, see it in DescribeImages, push again
(layers skipped), refuse an immutable tag, pull into a clean image store (a private engine),
delete by tag and by digest, let a lifecycle policy expire old images, and run a task from the
ECR URI.

Skipped only when no Docker engine answers; CI always has one. Everything the module makes
(images, tags, the docker CLI's login, the private engine) is removed when it ends."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid

import boto3
import pytest

from docker_engine import DockerEngine
from ecsbox_server import ACCOUNT_ID, REGION, REPO_ROOT, EcsboxServer
from helpers import CLIENT_CONFIG, make_client
from private_engine import PrivateEngine

ENGINE = DockerEngine()
_NO_ENGINE = ENGINE.ping() or (None if shutil.which("docker") else "no docker CLI")
if _NO_ENGINE:
    pytest.skip(f"no Docker engine ({_NO_ENGINE})", allow_module_level=True)

WEBAPP = "ecsbox-test/webapp:latest"
BUSYBOX = "ecsbox-test/busybox:latest"
AWS_V2 = "/usr/bin/aws"
RUN_ID = uuid.uuid4().hex[:6]
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


class Registry:
    """One ecsbox with --runtime docker, an ECR client, and a docker CLI logged in to it."""

    def __init__(self, server: EcsboxServer):
        self.server = server
        self.host = f"localhost:{server.port}"
        self.ecr = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test",
                                 region_name=REGION).client("ecr", endpoint_url=server.endpoint,
                                                            config=CLIENT_CONFIG)
        self.ecs = make_client(server.endpoint)
        self.docker_config = tempfile.mkdtemp(prefix="ecsbox-docker-config-")
        self.local_tags: list[str] = []

    def docker(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(["docker", *args], input=stdin, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "DOCKER_CONFIG": self.docker_config})
        if check and proc.returncode != 0:
            pytest.fail(f"docker {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n"
                        f"ecsbox log:\n{self.server.log_tail(30)}", pytrace=False)
        return proc

    def login(self) -> None:
        password = subprocess.run(
            [AWS_V2, "ecr", "get-login-password", "--endpoint-url", self.server.endpoint, "--region", REGION],
            capture_output=True, text=True, timeout=60, check=True).stdout.strip()
        out = self.docker("login", "--username", "AWS", "--password-stdin", self.host, stdin=password)
        assert "Login Succeeded" in out.stdout, out

    def repository(self, base: str) -> str:
        name = f"{base}-{RUN_ID}"
        uri = self.ecr.create_repository(repositoryName=name)["repository"]["repositoryUri"]
        assert uri == f"{self.host}/{name}"
        return name

    def push(self, source: str, target: str) -> str:
        """Tags `source` as `target`, pushes it, returns the pushed manifest digest."""
        self.docker("tag", source, target)
        self.local_tags.append(target)
        out = self.docker("push", target).stdout
        match = re.search(r"digest: (sha256:[0-9a-f]{64})", out)
        assert match, out
        # A tag moved later leaves the image known by its digest: that name goes at the end too.
        self.local_tags.append(f"{target.rsplit(':', 1)[0]}@{match.group(1)}")
        return match.group(1)

    def build_unique(self, n: int) -> str:
        """A small image of its own (one more layer on busybox), so each push is a new digest."""
        tag = f"ecsbox-test/unique-{RUN_ID}:{n}"
        context = tempfile.mkdtemp(prefix="ecsbox-unique-")
        try:
            with open(os.path.join(context, "Dockerfile"), "w") as f:
                f.write(f"FROM {BUSYBOX}\nRUN echo {RUN_ID}-{n} > /generation\n")
            proc = subprocess.run(["docker", "build", "-q", "-t", tag, context], capture_output=True, text=True,
                                  timeout=300, env={**os.environ, "DOCKER_BUILDKIT": "0"})
            assert proc.returncode == 0, proc.stderr
        finally:
            shutil.rmtree(context, ignore_errors=True)
        self.local_tags.append(tag)
        return tag

    def cleanup(self) -> None:
        for tag in self.local_tags:
            subprocess.run(["docker", "rmi", "-f", tag], capture_output=True, timeout=60)
        shutil.rmtree(self.docker_config, ignore_errors=True)


@pytest.fixture(scope="module")
def registry():
    if not all(ENGINE.image_exists(i) for i in (WEBAPP, BUSYBOX)):
        build = subprocess.run([str(REPO_ROOT / "fixtures" / "images" / "build")], capture_output=True, text=True,
                               timeout=600)
        assert build.returncode == 0, build.stderr
    server = EcsboxServer(runtime="docker", extra_args=["--lifecycle-policy-interval", "1"]).start_or_fail()
    r = Registry(server)
    try:
        r.login()
        yield r
    finally:
        r.cleanup()
        server.cleanup()


def image_ids(registry: Registry, repository: str) -> list[dict]:
    return registry.ecr.list_images(repositoryName=repository)["imageIds"]


def test_push_describe_and_push_again(registry):
    repo = registry.repository("webapp")
    target = f"{registry.host}/{repo}:1"
    digest = registry.push(WEBAPP, target)

    (image,) = registry.ecr.describe_images(repositoryName=repo)["imageDetails"]
    assert image["imageDigest"] == digest
    assert image["imageTags"] == ["1"]
    assert image["imageManifestMediaType"] == DOCKER_MANIFEST
    assert image["imageSizeInBytes"] > 1_000_000  # busybox alone is a megabyte or more
    assert image["registryId"] == ACCOUNT_ID
    layers = json.loads(registry.ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "1"}])
                        ["images"][0]["imageManifest"])["layers"]
    assert len(layers) >= 2, layers

    again = registry.docker("push", target).stdout
    assert again.count("Layer already exists") == len(layers), again
    assert f"digest: {digest}" in again


def test_immutable_tag_is_refused(registry):
    repo = registry.repository("immutable")
    registry.push(BUSYBOX, f"{registry.host}/{repo}:stable")
    registry.ecr.put_image_tag_mutability(repositoryName=repo, imageTagMutability="IMMUTABLE")
    registry.docker("tag", WEBAPP, f"{registry.host}/{repo}:stable")
    refused = registry.docker("push", f"{registry.host}/{repo}:stable", check=False)
    assert refused.returncode != 0
    assert "cannot be overwritten" in refused.stderr + refused.stdout, refused


def test_pull_into_a_clean_image_store(registry):
    repo = registry.repository("pulled")
    digest = registry.push(WEBAPP, f"{registry.host}/{repo}:v1")
    if PrivateEngine.available():
        pytest.skip(f"no private engine: {PrivateEngine.available()}")
    clean = PrivateEngine()
    try:
        clean.start()
        password = registry.ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        import base64
        user, token = base64.b64decode(password).decode().split(":", 1)
        auth = base64.urlsafe_b64encode(json.dumps({"username": user, "password": token,
                                                    "serveraddress": registry.host}).encode()).decode()
        conn = clean.engine._connection(300)
        conn.request("POST", f"/images/create?fromImage={registry.host}/{repo}&tag=v1",
                     headers={"X-Registry-Auth": auth})
        resp = conn.getresponse()
        body = resp.read().decode()
        conn.close()
        assert resp.status == 200 and '"error"' not in body, body
        status, info = clean.engine.request("GET", f"/images/{registry.host}/{repo}:v1/json")
        assert status == 200, info
        assert f"{registry.host}/{repo}@{digest}" in info["RepoDigests"]
        pulled = registry.ecr.describe_images(repositoryName=repo)["imageDetails"][0]
        assert "lastRecordedPullTime" in pulled
    finally:
        clean.cleanup()


def test_delete_by_tag_and_by_digest(registry):
    repo = registry.repository("deleted")
    first = registry.push(BUSYBOX, f"{registry.host}/{repo}:a")
    registry.push(BUSYBOX, f"{registry.host}/{repo}:b")  # the same image under a second tag
    second = registry.push(WEBAPP, f"{registry.host}/{repo}:c")

    out = registry.ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "a"}])
    assert out["failures"] == []
    assert {i.get("imageTag") for i in image_ids(registry, repo)} == {"b", "c"}

    out = registry.ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": first}])
    assert out["failures"] == []
    assert [i["imageDigest"] for i in image_ids(registry, repo)] == [second]
    gone = registry.docker("pull", f"{registry.host}/{repo}:b", check=False)
    assert gone.returncode != 0


def test_lifecycle_policy_expires_old_images(registry):
    repo = registry.repository("expiring")
    digests = []
    for n in range(3):
        digests.append(registry.push(registry.build_unique(n), f"{registry.host}/{repo}:build-{n}"))
        time.sleep(1.1)  # distinct push times
    policy = {"rules": [{"rulePriority": 1, "description": "keep the newest build",
                         "selection": {"tagStatus": "tagged", "tagPrefixList": ["build-"],
                                       "countType": "imageCountMoreThan", "countNumber": 1},
                         "action": {"type": "expire"}}]}
    registry.ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=json.dumps(policy))
    deadline = time.monotonic() + 20
    while len(image_ids(registry, repo)) > 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [i["imageDigest"] for i in image_ids(registry, repo)] == [digests[-1]]


def test_task_runs_from_the_ecr_uri(registry):
    repo = registry.repository("runnable")
    local = f"{registry.host}/{repo}:1"
    digest = registry.push(WEBAPP, local)
    registry.docker("rmi", local)  # so the engine has to pull it from ecsbox
    registry.local_tags.remove(local)

    cluster = f"ecr-run-{RUN_ID}"
    registry.ecs.create_cluster(clusterName=cluster)
    uri = f"{ACCOUNT_ID}.dkr.ecr.{REGION}.amazonaws.com/{repo}:1"
    td = registry.ecs.register_task_definition(
        family=cluster, containerDefinitions=[{"name": "web", "image": uri, "memory": 64, "stopTimeout": 2}],
    )["taskDefinition"]["taskDefinitionArn"]
    arn = registry.ecs.run_task(cluster=cluster, taskDefinition=td)["tasks"][0]["taskArn"]
    try:
        registry.ecs.get_waiter("tasks_running").wait(cluster=cluster, tasks=[arn],
                                                      WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        (task,) = registry.ecs.describe_tasks(cluster=cluster, tasks=[arn])["tasks"]
        (container,) = task["containers"]
        assert container["image"] == uri
        assert container["imageDigest"] == digest
    finally:
        registry.ecs.stop_task(cluster=cluster, task=arn)
        registry.ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=[arn],
                                                      WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        registry.local_tags.append(local)  # the engine's pulled copy goes too

"""AWS CLI v2 (/usr/bin/aws; the `aws` first on PATH may be a v1) against ecsbox, driven with
subprocess so a failure shows the command, its exit code, stdout and stderr. ECS first, then ECR
(`aws ecr ...`, the `ecr` fixture)."""
import base64
import json
import os
import shlex
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from helpers import (DOCKER_MANIFEST, FIXTURES_DIR, cluster_arn, deep_subset_mismatches,
                     load_fixture, repository_arn, task_definition_arn, tiny_image)

AWS = "/usr/bin/aws"


def cli_env(data_path=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    })
    if data_path:
        env["AWS_DATA_PATH"] = data_path
    return env


@pytest.fixture(scope="module")
def aws(ecsbox):
    if not Path(AWS).exists():
        pytest.fail(f"AWS CLI v2 not found at {AWS} (apt-get install awscli)", pytrace=False)
    version = subprocess.run([AWS, "--version"], capture_output=True, text=True, env=cli_env())
    assert version.stdout.startswith("aws-cli/2."), version.stdout + version.stderr

    def run(*args, expect=0, data_path=None, region=None, output="json", service="ecs"):
        cmd = [AWS, "--endpoint-url", ecsbox.endpoint, "--output", output, "--no-cli-pager"]
        if region:
            cmd += ["--region", region]
        cmd += [service, *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=cli_env(data_path),
                              timeout=60, cwd=str(FIXTURES_DIR.parent.parent))
        where = (f"$ {shlex.join(cmd)}\nexit {proc.returncode}\n"
                 f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        assert proc.returncode == expect, where
        if expect == 0 and output == "json":
            return json.loads(proc.stdout) if proc.stdout.strip() else {}
        return proc
    return run


def test_create_describe_list_clusters(aws, unique_name):
    out = aws("create-cluster", "--cluster-name", unique_name,
              "--tags", "key=env,value=cli", "key=team,value=qa",
              "--settings", "name=containerInsights,value=enabled")
    assert out["cluster"]["clusterArn"] == cluster_arn(unique_name)
    assert out["cluster"]["status"] == "ACTIVE"

    out = aws("describe-clusters", "--clusters", unique_name, "nonexistent-cli-cluster",
              "--include", "TAGS", "SETTINGS", "STATISTICS", "CONFIGURATIONS")
    (c,) = out["clusters"]
    assert c["clusterName"] == unique_name
    assert c["tags"] == [{"key": "env", "value": "cli"}, {"key": "team", "value": "qa"}]
    assert {"name": "containerInsights", "value": "enabled"} in c["settings"]
    assert isinstance(c["statistics"], list) and c["statistics"]
    assert out["failures"] == [{"arn": cluster_arn("nonexistent-cli-cluster"), "reason": "MISSING"}]

    listed = aws("list-clusters")["clusterArns"]
    assert cluster_arn(unique_name) in listed


def test_list_clusters_max_items_and_page_size(aws, new_name):
    # A region of its own keeps the walk short (one CLI run per 2 clusters).
    region = "ca-central-1"
    mine = [new_name("clipg") for _ in range(5)]
    for name in mine:
        aws("create-cluster", "--cluster-name", name, region=region)
    everything = aws("list-clusters", region=region)["clusterArns"]
    assert sorted(everything) == sorted(cluster_arn(n, region=region) for n in mine)
    got, token, rounds = [], None, 0
    while True:
        args = ["list-clusters", "--max-items", "2", "--page-size", "1"]
        if token:
            args += ["--starting-token", token]
        out = aws(*args, region=region)
        got.extend(out["clusterArns"])
        token = out.get("NextToken")
        rounds += 1
        if not token:
            break
        assert len(out["clusterArns"]) == 2
        assert rounds < 10
    assert got == everything
    assert rounds == 3


def test_task_definition_lifecycle_with_fixture(aws, model_data_path):
    fixture = load_fixture("web-app.json")
    out = aws("register-task-definition",
              "--cli-input-json", "file://fixtures/task-definitions/web-app.json")
    td = out["taskDefinition"]
    rev = td["revision"]
    assert td["taskDefinitionArn"] == task_definition_arn("web-app", rev)
    body = {k: v for k, v in fixture.items() if k != "tags"}
    assert deep_subset_mismatches(body, td) == []
    assert out["tags"] == fixture["tags"]

    described = aws("describe-task-definition", "--task-definition", f"web-app:{rev}",
                    "--include", "TAGS")
    assert described["taskDefinition"] == td
    assert described["tags"] == fixture["tags"]

    listed = aws("list-task-definitions", "--family-prefix", "web-app")["taskDefinitionArns"]
    assert task_definition_arn("web-app", rev) in listed
    assert "web-app" in aws("list-task-definition-families", "--family-prefix", "web")["families"]

    dereg = aws("deregister-task-definition", "--task-definition", f"web-app:{rev}")
    assert dereg["taskDefinition"]["status"] == "INACTIVE"

    deleted = aws("delete-task-definitions", "--task-definitions", f"web-app:{rev}",
                  data_path=model_data_path)
    assert [t["status"] for t in deleted["taskDefinitions"]] == ["DELETE_IN_PROGRESS"]
    assert deleted["failures"] == []


def test_tags(aws, unique_name):
    arn = aws("create-cluster", "--cluster-name", unique_name)["cluster"]["clusterArn"]
    aws("tag-resource", "--resource-arn", arn, "--tags", "key=a,value=1", "key=b,value=2")
    tags = aws("list-tags-for-resource", "--resource-arn", arn)["tags"]
    assert sorted(tags, key=lambda t: t["key"]) == [{"key": "a", "value": "1"},
                                                    {"key": "b", "value": "2"}]
    aws("untag-resource", "--resource-arn", arn, "--tag-keys", "a")
    assert aws("list-tags-for-resource", "--resource-arn", arn)["tags"] == [
        {"key": "b", "value": "2"}]


def test_account_settings(aws):
    role = "arn:aws:iam::000000000000:role/cli-settings"
    out = aws("put-account-setting", "--name", "taskLongArnFormat", "--value", "enabled",
              "--principal-arn", role)
    assert out["setting"]["name"] == "taskLongArnFormat"
    assert out["setting"]["value"] == "enabled"
    assert out["setting"]["principalArn"] == role
    listed = aws("list-account-settings", "--principal-arn", role)["settings"]
    assert [(s["name"], s["value"]) for s in listed] == [("taskLongArnFormat", "enabled")]
    default = aws("put-account-setting-default", "--name", "containerInstanceLongArnFormat",
                  "--value", "enabled")
    assert default["setting"]["principalArn"] == "arn:aws:iam::000000000000:root"
    effective = aws("list-account-settings", "--effective-settings")["settings"]
    assert "containerInstanceLongArnFormat" in {s["name"] for s in effective}
    aws("delete-account-setting", "--name", "taskLongArnFormat", "--principal-arn", role)
    assert aws("list-account-settings", "--principal-arn", role)["settings"] == []


def test_text_output_and_query(aws, unique_name):
    aws("create-cluster", "--cluster-name", unique_name)
    proc = aws("describe-clusters", "--clusters", unique_name, "--query", "clusters[0].status",
               output="text")
    assert proc.stdout.strip() == "ACTIVE"


def test_region_flag(aws, unique_name):
    out = aws("create-cluster", "--cluster-name", unique_name, region="eu-west-1")
    assert out["cluster"]["clusterArn"] == cluster_arn(unique_name, region="eu-west-1")
    assert cluster_arn(unique_name) not in aws("list-clusters")["clusterArns"]


@pytest.mark.parametrize("args,code", [
    (("delete-cluster", "--cluster", "no-such-cli-cluster"), "ClusterNotFoundException"),
    (("describe-task-definition", "--task-definition", "no-such-cli-family:1"), "ClientException"),
    (("put-account-setting", "--name", "serviceLongArnFormat", "--value", "maybe"),
     "InvalidParameterException"),
    (("create-task-set", "--cluster", "no-such-cli-cluster", "--service", "s",
      "--task-definition", "t:1"), "UnsupportedFeatureException"),
    (("create-service", "--cluster", "no-such-cli-cluster", "--service-name", "s",
      "--task-definition", "t:1", "--desired-count", "1"), "ClusterNotFoundException"),
])
def test_error_exit_code(aws, args, code):
    proc = aws(*args, expect=254)
    assert f"An error occurred ({code})" in proc.stderr, proc.stderr
    assert proc.stdout.strip() == ""


def test_service_create_wait_stable_delete_wait_inactive(aws, unique_name):
    # `aws ecs wait` polls every 15 s (not configurable); a `--runtime none` service is stable
    # by the time the CLI has started, so each wait answers on its first poll.
    aws("create-cluster", "--cluster-name", unique_name)
    aws("register-task-definition", "--family", unique_name, "--container-definitions",
        json.dumps([{"name": "app", "image": "anything:1", "memory": 64}]))
    created = aws("create-service", "--cluster", unique_name, "--service-name", unique_name,
                  "--task-definition", unique_name, "--desired-count", "2")["service"]
    assert created["status"] == "ACTIVE" and created["desiredCount"] == 2
    arn = created["serviceArn"]
    assert arn == f"arn:aws:ecs:us-east-1:000000000000:service/{unique_name}/{unique_name}"

    waited = aws("wait", "services-stable", "--cluster", unique_name, "--services", unique_name,
                 output="text")
    assert waited.stdout == "", waited.stdout
    # The deployment is marked COMPLETED on the scheduler's next look, a moment after the count
    # the waiter reads, as on ECS.
    deadline = time.monotonic() + 20
    while True:
        (svc,) = aws("describe-services", "--cluster", unique_name, "--services", arn)["services"]
        if [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert (svc["runningCount"], svc["desiredCount"]) == (2, 2)
    assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]
    tasks = aws("list-tasks", "--cluster", unique_name, "--service-name", unique_name)["taskArns"]
    assert len(tasks) == 2

    proc = aws("delete-service", "--cluster", unique_name, "--service", unique_name, expect=254)
    assert "An error occurred (InvalidParameterException)" in proc.stderr, proc.stderr
    deleted = aws("delete-service", "--cluster", unique_name, "--service", unique_name,
                  "--force")["service"]
    assert deleted["status"] == "DRAINING"
    aws("wait", "services-inactive", "--cluster", unique_name, "--services", unique_name,
        output="text")
    (svc,) = aws("describe-services", "--cluster", unique_name, "--services", unique_name)[
        "services"]
    assert svc["status"] == "INACTIVE"
    assert aws("list-tasks", "--cluster", unique_name, "--service-name", unique_name)[
        "taskArns"] == []

    # A missing service is the waiter's failure state: it fails on the first poll.
    proc = aws("wait", "services-stable", "--cluster", unique_name, "--services", "no-such-service",
               expect=255, output="text")
    assert "Waiter ServicesStable failed" in proc.stderr, proc.stderr


# --- ECR ----------------------------------------------------------------------------------------

@pytest.fixture
def ecr(aws):
    """`aws ecr ...`: the same runner as `aws`, for the ecr command."""
    def run(*args, **kwargs):
        return aws(*args, service="ecr", **kwargs)
    return run


def test_ecr_create_describe_delete_repository(ecr, repo_name):
    name = repo_name("cli/")
    out = ecr("create-repository", "--repository-name", name, "--image-tag-mutability", "IMMUTABLE",
              "--image-scanning-configuration", "scanOnPush=true",
              "--tags", "Key=team,Value=cli", "Key=env,Value=test")
    repo = out["repository"]
    assert repo["repositoryArn"] == repository_arn(name)
    assert repo["repositoryUri"].endswith("/" + name)
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}

    described = ecr("describe-repositories", "--repository-names", name)["repositories"]
    assert described == [repo]
    tags = ecr("list-tags-for-resource", "--resource-arn", repo["repositoryArn"])["tags"]
    assert sorted(tags, key=lambda t: t["Key"]) == [{"Key": "env", "Value": "test"},
                                                    {"Key": "team", "Value": "cli"}]
    proc = ecr("create-repository", "--repository-name", name, expect=254)
    assert "An error occurred (RepositoryAlreadyExistsException)" in proc.stderr, proc.stderr

    deleted = ecr("delete-repository", "--repository-name", name, "--force")
    assert deleted["repository"]["repositoryArn"] == repo["repositoryArn"]
    proc = ecr("describe-repositories", "--repository-names", name, expect=254)
    assert "An error occurred (RepositoryNotFoundException)" in proc.stderr, proc.stderr


def test_ecr_describe_repositories_max_items_and_page_size(ecr, repo_name):
    region = "eu-north-1"  # a region of its own: the walk sees only this test's repositories
    mine = sorted(repo_name() for _ in range(3))
    for name in mine:
        ecr("create-repository", "--repository-name", name, region=region)
    try:
        listed = ecr("describe-repositories", region=region)["repositories"]
        assert sorted(r["repositoryName"] for r in listed) == mine
        first = ecr("describe-repositories", "--max-items", "2", "--page-size", "1", region=region)
        assert len(first["repositories"]) == 2 and first["NextToken"]
        rest = ecr("describe-repositories", "--starting-token", first["NextToken"],
                   "--page-size", "1", region=region)
        assert "NextToken" not in rest
        walked = [r["repositoryName"] for r in first["repositories"] + rest["repositories"]]
        assert walked == [r["repositoryName"] for r in listed]
    finally:
        for name in mine:
            ecr("delete-repository", "--repository-name", name, region=region)


def test_ecr_get_login_password(ecr, ecsbox):
    proc = ecr("get-login-password", output="text")
    password = proc.stdout.strip()
    assert password and proc.stdout == password + "\n", repr(proc.stdout)
    assert not password.startswith("AWS:") and " " not in password
    assert proc.stderr == ""
    # What `docker login --username AWS --password-stdin` then does: GET /v2/ with Basic auth.
    basic = base64.b64encode(f"AWS:{password}".encode()).decode()
    req = urllib.request.Request(f"{ecsbox.endpoint}/v2/", headers={"Authorization": f"Basic {basic}"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status == 200


def test_ecr_get_authorization_token(ecr):
    before = datetime.now(timezone.utc)
    (data,) = ecr("get-authorization-token")["authorizationData"]
    after = datetime.now(timezone.utc)
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and password
    assert data["proxyEndpoint"].startswith(("http://", "https://"))
    # CLI v2 prints timestamps as ISO 8601; the token lasts 12 hours.
    expires = datetime.fromisoformat(data["expiresAt"])
    twelve_hours = timedelta(hours=12)
    assert before + twelve_hours - timedelta(seconds=5) <= expires, data["expiresAt"]
    assert expires <= after + twelve_hours + timedelta(seconds=5), data["expiresAt"]


def test_ecr_policies(ecr, repo_name):
    name = repo_name()
    ecr("create-repository", "--repository-name", name)
    try:
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}
        ecr("set-repository-policy", "--repository-name", name, "--policy-text",
            json.dumps(policy))
        got = ecr("get-repository-policy", "--repository-name", name)
        assert json.loads(got["policyText"]) == policy
        lifecycle = {"rules": [{"rulePriority": 1, "description": "expire old untagged images",
                                "selection": {"tagStatus": "untagged",
                                              "countType": "sinceImagePushed",
                                              "countUnit": "days", "countNumber": 7},
                                "action": {"type": "expire"}}]}
        ecr("put-lifecycle-policy", "--repository-name", name, "--lifecycle-policy-text",
            json.dumps(lifecycle))
        got = ecr("get-lifecycle-policy", "--repository-name", name)
        assert json.loads(got["lifecyclePolicyText"]) == lifecycle
        ecr("delete-lifecycle-policy", "--repository-name", name)
        proc = ecr("get-lifecycle-policy", "--repository-name", name, expect=254)
        assert "An error occurred (LifecyclePolicyNotFoundException)" in proc.stderr, proc.stderr
        ecr("delete-repository-policy", "--repository-name", name)
        proc = ecr("get-repository-policy", "--repository-name", name, expect=254)
        assert "An error occurred (RepositoryPolicyNotFoundException)" in proc.stderr, proc.stderr
    finally:
        ecr("delete-repository", "--repository-name", name, "--force")


def test_ecr_push_images_and_delete_repository_force(ecr, repo_name, tmp_path):
    name = repo_name()
    ecr("create-repository", "--repository-name", name)
    image = tiny_image(f"cli {name}")
    for blob, digest in ((image.layer, image.layer_digest), (image.config, image.config_digest)):
        upload_id = ecr("initiate-layer-upload", "--repository-name", name)["uploadId"]
        path = tmp_path / digest.replace(":", "-")
        path.write_bytes(blob)
        part = ecr("upload-layer-part", "--repository-name", name, "--upload-id", upload_id,
                   "--part-first-byte", "0", "--part-last-byte", str(len(blob) - 1),
                   "--layer-part-blob", f"fileb://{path}")
        assert part["lastByteReceived"] == len(blob) - 1
        done = ecr("complete-layer-upload", "--repository-name", name, "--upload-id", upload_id,
                   "--layer-digests", digest)
        assert done["layerDigest"] == digest
    manifest = tmp_path / "manifest.json"
    manifest.write_text(image.manifest)
    put = ecr("put-image", "--repository-name", name, "--image-tag", "v1",
              "--image-manifest", f"file://{manifest}")
    assert put["image"]["imageId"] == {"imageDigest": image.digest, "imageTag": "v1"}
    ecr("put-image", "--repository-name", name, "--image-tag", "other",
        "--image-manifest", f"file://{manifest}")

    (detail,) = ecr("describe-images", "--repository-name", name,
                    "--image-ids", "imageTag=v1")["imageDetails"]
    assert detail["imageDigest"] == image.digest
    assert sorted(detail["imageTags"]) == ["other", "v1"]
    listed = ecr("list-images", "--repository-name", name)["imageIds"]
    assert sorted(listed, key=lambda i: i["imageTag"]) == [
        {"imageDigest": image.digest, "imageTag": "other"},
        {"imageDigest": image.digest, "imageTag": "v1"}]
    (got,) = ecr("batch-get-image", "--repository-name", name, "--image-ids", "imageTag=v1")[
        "images"]
    assert got["imageManifest"] == image.manifest
    assert got["imageManifestMediaType"] == DOCKER_MANIFEST
    deleted = ecr("batch-delete-image", "--repository-name", name,
                  "--image-ids", "imageTag=other", "imageTag=missing")
    assert deleted["imageIds"] == [{"imageDigest": image.digest, "imageTag": "other"}]
    assert [f["failureCode"] for f in deleted["failures"]] == ["ImageNotFound"]

    proc = ecr("delete-repository", "--repository-name", name, expect=254)
    assert "An error occurred (RepositoryNotEmptyException)" in proc.stderr, proc.stderr
    out = ecr("delete-repository", "--repository-name", name, "--force")
    assert out["repository"]["repositoryName"] == name
    proc = ecr("list-images", "--repository-name", name, expect=254)
    assert "An error occurred (RepositoryNotFoundException)" in proc.stderr, proc.stderr

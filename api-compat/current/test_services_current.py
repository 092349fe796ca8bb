"""ECS services with current clients: boto3/botocore >= 1.40 and the AWS CLI v1 installed beside
them (on this machine pyenv's Python 3.11 with boto3 1.43 and aws-cli 1.45), each with its stock
model, so the service deployment operations need no borrowed model here. Standard library
`unittest` only: that interpreter has no pytest. Run as

    <python with boto3 >= 1.40> api-compat/current/test_services_current.py -v

(api-compat/run picks the interpreter: see api-compat/README.md). One `--runtime none` ecsbox for
the module, started through api-compat/python/ecsbox_server.py, removed at the end."""
from __future__ import annotations

import sys

sys.dont_write_bytecode = True  # no __pycache__ in the work tree, however this file is run

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import unittest  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import boto3  # noqa: E402
import botocore  # noqa: E402
from botocore.exceptions import ClientError, WaiterError  # noqa: E402

from ecsbox_server import ACCOUNT_ID, REGION, EcsboxServer  # noqa: E402
from helpers import make_client  # noqa: E402  (also clears the AWS client environment)

MIN_VERSION = (1, 40)
WAIT = {"Delay": 1, "MaxAttempts": 30}
# The CLI v1 installed with this interpreter (pip puts `aws` next to the interpreter).
AWS_V1 = Path(sys.executable).parent / "aws"

server: EcsboxServer | None = None


def setUpModule():
    global server
    server = EcsboxServer(extra_args=["--healthy-after-running", "0"])  # no 40 s wait per rollout
    try:
        server.start()
    except RuntimeError:
        server.cleanup()
        server = None
        raise


def tearDownModule():
    if server is not None:
        alive, tail = server.alive(), server.log_tail()
        server.cleanup()
        if not alive:
            sys.stderr.write(f"\necsbox died during the run; last log lines:\n{tail}\n")


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def new_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def service_arn(cluster: str, name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service/{cluster}/{name}"


def cli_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION, "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
    })
    return env


class ServerTestCase(unittest.TestCase):
    def setUp(self):
        self.assertIsNotNone(server, "ecsbox did not start")
        self.ecs = make_client(server.endpoint)

    def tearDown(self):
        self.assertTrue(server.alive(), f"ecsbox died during this test:\n{server.log_tail()}")

    def make_cluster_and_family(self, name: str) -> str:
        self.ecs.create_cluster(clusterName=name)
        return self.register(name, "anything:1")

    def register(self, family: str, image: str) -> str:
        return self.ecs.register_task_definition(
            family=family, containerDefinitions=[{"name": "app", "image": image, "memory": 64}],
        )["taskDefinition"]["taskDefinitionArn"]

    def describe(self, cluster: str, service: str) -> dict:
        out = self.ecs.describe_services(cluster=cluster, services=[service])
        self.assertEqual(out["failures"], [])
        self.assertEqual(len(out["services"]), 1)
        return out["services"][0]


class Versions(unittest.TestCase):
    def test_boto3_and_botocore_are_current(self):
        for module in (boto3, botocore):
            self.assertGreaterEqual(version_tuple(module.__version__), MIN_VERSION,
                                    f"{module.__name__} {module.__version__} at {module.__file__}")

    def test_stock_model_has_the_service_deployment_operations(self):
        ecs = boto3.client("ecs", region_name=REGION)
        ops = set(ecs.meta.service_model.operation_names)
        self.assertLessEqual({"ListServiceDeployments", "DescribeServiceDeployments",
                              "DescribeServiceRevisions", "StopServiceDeployment"}, ops)
        self.assertLessEqual({"services_stable", "services_inactive"}, set(ecs.waiter_names))


class Boto3Services(ServerTestCase):
    def test_waiters_and_service_deployments(self):
        name = new_name("cur-svc")
        td1 = self.make_cluster_and_family(name)
        created = self.ecs.create_service(cluster=name, serviceName=name, taskDefinition=td1,
                                          desiredCount=2)["service"]
        self.assertEqual(created["serviceArn"], service_arn(name, name))
        self.ecs.get_waiter("services_stable").wait(cluster=name, services=[name], WaiterConfig=WAIT)
        # The deployment is marked COMPLETED on the scheduler's next look, a moment after the count
        # the waiter reads, as on ECS.
        deadline = time.monotonic() + 20
        svc = self.describe(name, name)
        while [d["rolloutState"] for d in svc["deployments"]] != ["COMPLETED"] and time.monotonic() < deadline:
            time.sleep(0.1)
            svc = self.describe(name, name)
        self.assertEqual((svc["desiredCount"], svc["runningCount"]), (2, 2))
        self.assertEqual([(d["status"], d["rolloutState"]) for d in svc["deployments"]],
                         [("PRIMARY", "COMPLETED")])
        first_deployment = svc["currentServiceDeployment"]

        td2 = self.register(name, "anything:2")
        self.ecs.update_service(cluster=name, service=name, taskDefinition=td2)
        self.ecs.get_waiter("services_stable").wait(cluster=name, services=[name], WaiterConfig=WAIT)
        svc = self.describe(name, name)
        self.assertEqual([d["taskDefinition"] for d in svc["deployments"]], [td2])
        self.assertEqual(svc["runningCount"], 2)
        self.assertNotEqual(svc["currentServiceDeployment"], first_deployment)

        # The stock 1.4x model: list/describe service deployments, describe revisions.
        briefs = self.ecs.list_service_deployments(cluster=name, service=name)["serviceDeployments"]
        self.assertEqual({b["serviceDeploymentArn"] for b in briefs},
                         {first_deployment, svc["currentServiceDeployment"]})
        self.assertEqual({b["status"] for b in briefs}, {"SUCCESSFUL"})
        for b in briefs:
            self.assertEqual((b["serviceArn"], b["clusterArn"]),
                             (svc["serviceArn"], svc["clusterArn"]))
            self.assertRegex(b["targetServiceRevisionArn"],
                             rf"^arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-revision/{name}/{name}/\d+$")
        described = self.ecs.describe_service_deployments(
            serviceDeploymentArns=[svc["currentServiceDeployment"], first_deployment])
        self.assertEqual(described["failures"], [])
        by_arn = {d["serviceDeploymentArn"]: d for d in described["serviceDeployments"]}
        current, first = by_arn[svc["currentServiceDeployment"]], by_arn[first_deployment]
        self.assertEqual(current["status"], "SUCCESSFUL")
        self.assertEqual(current["targetServiceRevision"]["runningTaskCount"], 2)
        self.assertEqual([r["arn"] for r in current["sourceServiceRevisions"]],
                         [first["targetServiceRevision"]["arn"]])
        self.assertEqual([r["arn"] for r in svc["currentServiceRevisions"]],
                         [current["targetServiceRevision"]["arn"]])
        revisions = self.ecs.describe_service_revisions(serviceRevisionArns=[
            first["targetServiceRevision"]["arn"], current["targetServiceRevision"]["arn"]])
        self.assertEqual(revisions["failures"], [])
        self.assertEqual([r["taskDefinition"] for r in revisions["serviceRevisions"]], [td1, td2])
        with self.assertRaises(self.ecs.exceptions.ConflictException):
            self.ecs.stop_service_deployment(serviceDeploymentArn=first_deployment,
                                             stopType="ROLLBACK")

        with self.assertRaises(ClientError) as caught:
            self.ecs.delete_service(cluster=name, service=name)
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidParameterException")
        deleted = self.ecs.delete_service(cluster=name, service=name, force=True)["service"]
        self.assertEqual(deleted["status"], "DRAINING")
        self.ecs.get_waiter("services_inactive").wait(cluster=name, services=[name],
                                                      WaiterConfig=WAIT)
        self.assertEqual(self.describe(name, name)["status"], "INACTIVE")
        self.assertEqual(self.ecs.list_tasks(cluster=name, serviceName=name)["taskArns"], [])

    def test_waiters_fail_on_a_missing_service(self):
        name = new_name("cur-missing")
        self.ecs.create_cluster(clusterName=name)
        for waiter in ("services_stable", "services_inactive"):
            started = time.monotonic()
            with self.assertRaises(WaiterError) as caught:
                self.ecs.get_waiter(waiter).wait(cluster=name, services=["nope"],
                                                 WaiterConfig={"Delay": 5, "MaxAttempts": 3})
            self.assertIn("terminal failure", str(caught.exception))
            self.assertLess(time.monotonic() - started, 4, f"{waiter} retried instead of failing")


class CliV1Services(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        if not AWS_V1.exists():
            raise AssertionError(f"no AWS CLI v1 beside {sys.executable} (expected {AWS_V1})")
        proc = subprocess.run([str(AWS_V1), "--version"], capture_output=True, text=True,
                              env=cli_env(), timeout=60)
        version = (proc.stdout + proc.stderr).strip()
        if not version.startswith("aws-cli/1."):
            raise AssertionError(f"{AWS_V1} is not the AWS CLI v1: {version!r}")

    def aws(self, *args, expect=0):
        cmd = [str(AWS_V1), "--endpoint-url", server.endpoint, "--output", "json", "ecs", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=cli_env(), timeout=90)
        where = (f"$ {shlex.join(cmd)}\nexit {proc.returncode}\n"
                 f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        self.assertEqual(proc.returncode, expect, where)
        if expect == 0 and proc.stdout.strip():
            return json.loads(proc.stdout)
        return proc

    def test_cli_v1_waiters(self):
        # `aws ecs wait` polls every 15 s; the service is stable (and, once deleted, inactive)
        # before the CLI's first poll, so each wait answers at once.
        name = new_name("cur-cli")
        self.aws("create-cluster", "--cluster-name", name)
        self.aws("register-task-definition", "--family", name, "--container-definitions",
                 json.dumps([{"name": "app", "image": "anything:1", "memory": 64}]))
        created = self.aws("create-service", "--cluster", name, "--service-name", name,
                           "--task-definition", name, "--desired-count", "2")["service"]
        self.assertEqual(created["serviceArn"], service_arn(name, name))
        self.aws("wait", "services-stable", "--cluster", name, "--services", name)
        svc = self.describe(name, name)
        self.assertEqual((svc["runningCount"], len(svc["deployments"])), (2, 1))

        listed = self.aws("list-service-deployments", "--cluster", name, "--service", name)
        self.assertEqual([d["status"] for d in listed["serviceDeployments"]], ["SUCCESSFUL"])
        self.assertEqual(listed["serviceDeployments"][0]["serviceDeploymentArn"],
                         svc["currentServiceDeployment"])

        proc = self.aws("delete-service", "--cluster", name, "--service", name, expect=255)
        self.assertIn("An error occurred (InvalidParameterException)", proc.stderr)
        deleted = self.aws("delete-service", "--cluster", name, "--service", name, "--force")
        self.assertEqual(deleted["service"]["status"], "DRAINING")
        self.aws("wait", "services-inactive", "--cluster", name, "--services", name)
        self.assertEqual(self.describe(name, name)["status"], "INACTIVE")

        proc = self.aws("wait", "services-stable", "--cluster", name, "--services", "nope",
                        expect=255)
        self.assertIn("Waiter ServicesStable failed", proc.stderr)


if __name__ == "__main__":
    unittest.main()

"""ELBv2 through AWS CLI v2 (/usr/bin/aws elbv2 ..., --output json), driven with subprocess so a
failure shows the command, its exit code, stdout and stderr: an application load balancer, an ip
target group holding two HTTP servers this module starts, a listener, real requests through it,
then everything deleted again; and the CLI's error exits.

Like test_elbv2.py, this module runs its own server with scaled-down health checks (see
elbv2_support.py). `aws elbv2 wait` polls every 15 s and cannot be told otherwise, so each wait
starts only once a bounded poll has seen the state it waits for: it must then succeed on its
first poll."""
import collections
import json
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from ecsbox_server import ACCOUNT_ID, REGION, free_port
from elbv2_support import FAST_HEALTH_CHECK, Backend, elbv2_server, http_get, poll

AWS = "/usr/bin/aws"
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
FIRST_POLL = 10  # seconds: a wait that needs a second poll takes 15 s more


def cli_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PAGER": "",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "1",
    })
    return env


@pytest.fixture(scope="module")
def ecsbox():
    """This module's server (see the module docstring); the session's is left alone."""
    server = elbv2_server().start_or_fail()
    yield server
    alive, tail = server.alive(), server.log_tail()
    server.cleanup()
    assert alive, f"ecsbox died during the ELBv2 CLI tests; last log lines:\n{tail}"


@pytest.fixture(scope="module")
def elb(ecsbox):
    """`aws elbv2 ARGS...` against the module's server: the parsed JSON output (expect=0), or
    the finished process (any other expect; expect=None checks nothing, for cleanup)."""
    if not Path(AWS).exists():
        pytest.fail(f"AWS CLI v2 not found at {AWS} (apt-get install awscli)", pytrace=False)
    version = subprocess.run([AWS, "--version"], capture_output=True, text=True, env=cli_env())
    assert version.stdout.startswith("aws-cli/2."), version.stdout + version.stderr

    def run(*args, expect=0, output="json"):
        cmd = [AWS, "--endpoint-url", ecsbox.endpoint, "--output", output, "--no-cli-pager",
               "elbv2", *args]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=cli_env(), timeout=120)
        if expect is None:
            return proc
        where = (f"$ {shlex.join(cmd)}\nexit {proc.returncode}\n"
                 f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        assert proc.returncode == expect, where
        if expect == 0 and output == "json":
            return json.loads(proc.stdout) if proc.stdout.strip() else {}
        return proc
    return run


def cli_health_check_options():
    """FAST_HEALTH_CHECK as create-target-group options."""
    names = {"HealthCheckProtocol": "--health-check-protocol",
             "HealthCheckPath": "--health-check-path",
             "HealthCheckIntervalSeconds": "--health-check-interval-seconds",
             "HealthCheckTimeoutSeconds": "--health-check-timeout-seconds",
             "HealthyThresholdCount": "--healthy-threshold-count",
             "UnhealthyThresholdCount": "--unhealthy-threshold-count"}
    return [arg for key, value in FAST_HEALTH_CHECK.items() for arg in (names[key], str(value))]


def timed_wait(elb, *args):
    """`aws elbv2 wait ARGS...`, which must succeed on its first poll, silently."""
    start = time.monotonic()
    proc = elb("wait", *args, output="text")
    assert proc.stdout == "", proc.stdout
    assert time.monotonic() - start < FIRST_POLL, f"wait {args[0]} needed a second poll"


def test_load_balancer_target_group_listener_and_traffic(elb, new_name):
    name, tg_name = new_name("cli"), new_name("cli-tg")
    a, b = Backend("cli-a"), Backend("cli-b")
    lb_arn = tg_arn = None
    try:
        (lb,) = elb("create-load-balancer", "--name", name, "--subnets", *SUBNETS,
                    "--tags", "Key=suite,Value=cli")["LoadBalancers"]
        lb_arn = lb["LoadBalancerArn"]
        assert lb_arn.startswith(
            f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:loadbalancer/app/{name}/"), lb_arn
        assert (lb["Type"], lb["Scheme"], lb["State"]["Code"]) == (
            "application", "internet-facing", "provisioning")
        poll("the load balancer to be active", lambda: elb(
            "describe-load-balancers", "--names", name)["LoadBalancers"][0]["State"]["Code"] == "active")
        timed_wait(elb, "load-balancer-available", "--names", name)

        (tg,) = elb("create-target-group", "--name", tg_name, "--protocol", "HTTP", "--port", "80",
                    "--target-type", "ip", "--vpc-id", lb["VpcId"],
                    *cli_health_check_options())["TargetGroups"]
        tg_arn = tg["TargetGroupArn"]
        assert (tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"],
                tg["HealthyThresholdCount"]) == (5, 2, 2)
        targets = [f"Id=127.0.0.1,Port={a.port}", f"Id=127.0.0.1,Port={b.port}"]
        assert elb("register-targets", "--target-group-arn", tg_arn, "--targets", *targets) == {}

        health = elb("describe-target-health", "--target-group-arn", tg_arn)["TargetHealthDescriptions"]
        assert sorted(d["Target"]["Port"] for d in health) == sorted([a.port, b.port])
        assert {(d["TargetHealth"]["State"], d["TargetHealth"].get("Reason")) for d in health} == {
            ("unused", "Target.NotInUse")}, health

        (listener,) = elb("create-listener", "--load-balancer-arn", lb_arn, "--protocol", "HTTP",
                          "--port", str(free_port()),
                          "--default-actions", f"Type=forward,TargetGroupArn={tg_arn}")["Listeners"]
        assert [(x["Type"], x["TargetGroupArn"]) for x in listener["DefaultActions"]] == [
            ("forward", tg_arn)]

        def states():
            out = elb("describe-target-health", "--target-group-arn", tg_arn)
            return {d["TargetHealth"]["State"] for d in out["TargetHealthDescriptions"]}
        poll("both targets to be healthy", lambda: states() == {"healthy"}, timeout=30)
        timed_wait(elb, "target-in-service", "--target-group-arn", tg_arn, "--targets", *targets)

        (described,) = elb("describe-listeners", "--load-balancer-arn", lb_arn)["Listeners"]
        assert described["ListenerArn"] == listener["ListenerArn"]
        url = f"http://{lb['DNSName']}:{described['Port']}"
        bodies = []
        for i in range(10):
            status, _, body = http_get(f"{url}/cli/{i}")
            assert status == 200, (i, status, body)
            bodies.append(body)
        assert collections.Counter(bodies) == {"cli-a": 5, "cli-b": 5}, bodies

        (tagged,) = elb("describe-tags", "--resource-arns", lb_arn)["TagDescriptions"]
        assert tagged["Tags"] == [{"Key": "suite", "Value": "cli"}]

        # Everything goes again: the listener with its load balancer, then the target group.
        assert elb("delete-load-balancer", "--load-balancer-arn", lb_arn) == {}
        proc = elb("describe-load-balancers", "--names", name, expect=254)
        assert "An error occurred (LoadBalancerNotFound)" in proc.stderr, proc.stderr
        timed_wait(elb, "load-balancers-deleted", "--names", name)
        proc = elb("describe-listeners", "--listener-arns", listener["ListenerArn"], expect=254)
        assert "An error occurred (ListenerNotFound)" in proc.stderr, proc.stderr
        lb_arn = None
        assert elb("delete-target-group", "--target-group-arn", tg_arn) == {}
        proc = elb("describe-target-groups", "--target-group-arns", tg_arn, expect=254)
        assert "An error occurred (TargetGroupNotFound)" in proc.stderr, proc.stderr
        tg_arn = None
        poll("the listener to close", lambda: _refused(url))
    finally:
        if lb_arn:
            elb("delete-load-balancer", "--load-balancer-arn", lb_arn, expect=None)
        if tg_arn:
            elb("delete-target-group", "--target-group-arn", tg_arn, expect=None)
        a.stop()
        b.stop()


def _refused(url) -> bool:
    try:
        http_get(url, timeout=2)
    except OSError:
        return True
    return False


@pytest.mark.parametrize("args,code", [
    (("describe-load-balancers", "--names", "no-such-cli-lb"), "LoadBalancerNotFound"),
    (("describe-target-groups", "--names", "no-such-cli-tg"), "TargetGroupNotFound"),
    (("create-load-balancer", "--name", "not_valid", "--subnets", *SUBNETS), "ValidationError"),
    # ELB checks an ARN's form before it looks the resource up.
    (("describe-target-groups", "--target-group-arns", "not-an-arn"), "ValidationError"),
])
def test_error_exit_code(elb, args, code):
    proc = elb(*args, expect=254)
    assert f"An error occurred ({code})" in proc.stderr, proc.stderr
    assert proc.stdout.strip() == ""


def test_waiter_failure_exit_code(elb):
    # TargetGroupNotFound is no acceptor of target-in-service: the waiter fails on its first poll.
    arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/no-such-cli-tg/0123456789abcdef"
    proc = elb("wait", "target-in-service", "--target-group-arn", arn, expect=255, output="text")
    assert "Waiter TargetInService failed" in proc.stderr, proc.stderr
    assert "TargetGroupNotFound" in proc.stderr, proc.stderr

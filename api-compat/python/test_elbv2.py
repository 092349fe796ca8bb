"""ELBv2 (Application Load Balancers) through boto3, against real traffic: load balancers, target
groups of type ip whose targets are HTTP servers this module starts on 127.0.0.1, listeners that
ecsbox's built-in balancer opens, rules, weighted forwarding, target health, attributes, tags,
pagination and the modeled errors (query protocol: XML errors with a Code, HTTP 400, Type Sender).

This module runs its own server (overriding the session's `ecsbox`) with `--health-check-scale`,
so that target groups with ELB's shortest health check (5 s interval, 2 s timeout) turn healthy
in about a second (see elbv2_support.py). The waiters poll every second.

Every test deletes what it created (listeners, load balancers, target groups) and stops its
backends, pass or fail: the `elb` fixture undoes each step, last first."""
import collections
import contextlib
import re
import time

import pytest
from botocore.exceptions import ClientError

from ecsbox_server import ACCOUNT_ID, REGION, free_port
from elbv2_support import FAST_HEALTH_CHECK, Backend, elbv2_server, http_get, poll
from helpers import make_client

WAIT = {"Delay": 1, "MaxAttempts": 30}
SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]
VPC = "vpc-0a1b2c3d4e5f60718"  # for target groups no load balancer uses (ip groups need a VPC)


@pytest.fixture(scope="module")
def ecsbox():
    """This module's server (see the module docstring); the session's is left alone."""
    server = elbv2_server().start_or_fail()
    yield server
    alive, tail = server.alive(), server.log_tail()
    server.cleanup()
    assert alive, f"ecsbox died during the ELBv2 tests; last log lines:\n{tail}"


@pytest.fixture(scope="module")
def elbv2(ecsbox):
    """boto3 ELBv2 client, the stock botocore model, us-east-1."""
    return make_client(ecsbox.endpoint, service="elbv2")


class Resources:
    """Creates ELB resources and backends for one test, and undoes each at the end, last first:
    listeners go before the target groups they forward to, target groups before the load
    balancers, and backends stop last."""

    def __init__(self, client, stack: contextlib.ExitStack, new_name):
        self.client = client
        self.stack = stack
        self.new_name = new_name

    def backend(self, name: str) -> Backend:
        backend = Backend(name)
        self.stack.callback(backend.stop)
        return backend

    def load_balancer(self, prefix="lb", **kwargs) -> dict:
        kwargs.setdefault("Subnets", SUBNETS)
        kwargs.setdefault("Name", self.new_name(prefix))
        (lb,) = self.client.create_load_balancer(**kwargs)["LoadBalancers"]
        self.stack.callback(self._delete_load_balancer, lb["LoadBalancerArn"])
        return lb

    def _delete_load_balancer(self, arn):
        # A test that turned deletion protection on must not leave its load balancer behind.
        try:
            self.client.modify_load_balancer_attributes(
                LoadBalancerArn=arn,
                Attributes=[{"Key": "deletion_protection.enabled", "Value": "false"}])
        except self.client.exceptions.LoadBalancerNotFoundException:
            return
        self.client.delete_load_balancer(LoadBalancerArn=arn)

    def target_group(self, prefix="tg", **kwargs) -> dict:
        params = {"Protocol": "HTTP", "Port": 80, "TargetType": "ip", "VpcId": VPC,
                  **FAST_HEALTH_CHECK, **kwargs}
        (tg,) = self.client.create_target_group(Name=self.new_name(prefix), **params)["TargetGroups"]
        self.stack.callback(self.client.delete_target_group, TargetGroupArn=tg["TargetGroupArn"])
        return tg

    def listener(self, lb_arn, default_actions, port=None) -> dict:
        (listener,) = self.client.create_listener(
            LoadBalancerArn=lb_arn, Protocol="HTTP", Port=port or free_port(),
            DefaultActions=default_actions)["Listeners"]
        self.stack.callback(self._delete_listener, listener["ListenerArn"])
        return listener

    def _delete_listener(self, arn):
        with contextlib.suppress(self.client.exceptions.ListenerNotFoundException):
            self.client.delete_listener(ListenerArn=arn)


@pytest.fixture
def elb(elbv2, new_name):
    with contextlib.ExitStack() as stack:
        yield Resources(elbv2, stack, new_name)


def forward(tg_arn) -> list:
    return [{"Type": "forward", "TargetGroupArn": tg_arn}]


def fixed(body, status="200") -> list:
    return [{"Type": "fixed-response",
             "FixedResponseConfig": {"StatusCode": status, "ContentType": "text/plain",
                                     "MessageBody": body}}]


def health_of(elbv2, tg_arn, backends=None) -> dict:
    """{port: TargetHealth} of the group's targets (all of them, or those of `backends`)."""
    kwargs = {"Targets": [b.target for b in backends]} if backends else {}
    out = elbv2.describe_target_health(TargetGroupArn=tg_arn, **kwargs)["TargetHealthDescriptions"]
    return {d["Target"]["Port"]: d["TargetHealth"] for d in out}


def wait_in_service(elbv2, tg_arn, *backends):
    elbv2.get_waiter("target_in_service").wait(
        TargetGroupArn=tg_arn, Targets=[b.target for b in backends], WaiterConfig=WAIT)


def listener_url(elbv2, lb, listener_arn) -> str:
    """Where the listener answers: the load balancer's DNSName and the listener's Port as
    DescribeListeners reports it."""
    (listener,) = elbv2.describe_listeners(ListenerArns=[listener_arn])["Listeners"]
    return f"http://{lb['DNSName']}:{listener['Port']}"


def answers(url, count, path="/", host=None) -> list:
    """The bodies of `count` GETs, each on a new connection; every one must be a 200."""
    bodies = []
    for i in range(count):
        status, _, body = http_get(f"{url}{path}", host=host)
        assert status == 200, (i, status, body)
        bodies.append(body)
    return bodies


def serving(elb, elbv2, *backends):
    """A load balancer, an ip target group holding `backends`, and a listener forwarding to it;
    returns (lb, tg, listener, url) once every target is in service."""
    lb = elb.load_balancer()
    tg = elb.target_group(VpcId=lb["VpcId"])
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[b.target for b in backends])
    listener = elb.listener(lb["LoadBalancerArn"], forward(tg["TargetGroupArn"]))
    wait_in_service(elbv2, tg["TargetGroupArn"], *backends)
    return lb, tg, listener, listener_url(elbv2, lb, listener["ListenerArn"])


def assert_elb_error(err: ClientError, code: str, status: int = 400):
    """A query protocol error as ELB sends it: the code, the HTTP status, Type Sender, a request
    id."""
    assert err.response["Error"]["Code"] == code, err.response
    assert err.response["Error"].get("Type") == "Sender", err.response
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response
    assert err.response["ResponseMetadata"].get("RequestId"), err.response


def attributes(pairs) -> dict:
    return {a["Key"]: a["Value"] for a in pairs}


# --- the main flow ------------------------------------------------------------------------------

def test_round_robin_over_two_ip_targets(elbv2, elb, new_name):
    name = new_name("rr")
    lb = elb.load_balancer(Name=name)
    assert re.fullmatch(rf"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:loadbalancer/app/"
                        rf"{name}/[0-9a-f]{{16}}", lb["LoadBalancerArn"]), lb["LoadBalancerArn"]
    assert (lb["LoadBalancerName"], lb["Type"], lb["Scheme"]) == (name, "application",
                                                                  "internet-facing")
    assert lb["State"]["Code"] == "provisioning"  # as CreateLoadBalancer answers on AWS
    assert sorted(z["SubnetId"] for z in lb["AvailabilityZones"]) == sorted(SUBNETS)
    elbv2.get_waiter("load_balancer_available").wait(Names=[name], WaiterConfig=WAIT)
    (described,) = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]
    assert described["State"] == {"Code": "active"}
    assert described["LoadBalancerArn"] == lb["LoadBalancerArn"]

    tg = elb.target_group(VpcId=lb["VpcId"])
    for key, value in FAST_HEALTH_CHECK.items():
        assert tg[key] == value, (key, tg)
    assert (tg["Protocol"], tg["Port"], tg["TargetType"]) == ("HTTP", 80, "ip")
    assert tg["LoadBalancerArns"] == []

    a, b = elb.backend("backend-a"), elb.backend("backend-b")
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[a.target, b.target])
    # No listener forwards to the group yet: its targets are unused, and nothing checks them.
    health = health_of(elbv2, tg["TargetGroupArn"])
    assert set(health) == {a.port, b.port}
    for state in health.values():
        assert (state["State"], state.get("Reason")) == ("unused", "Target.NotInUse"), health
    assert a.health_checks() == [] and b.health_checks() == []

    listener = elb.listener(lb["LoadBalancerArn"], forward(tg["TargetGroupArn"]))
    assert listener["Protocol"] == "HTTP"
    assert [(x["Type"], x["TargetGroupArn"]) for x in listener["DefaultActions"]] == [
        ("forward", tg["TargetGroupArn"])]
    wait_in_service(elbv2, tg["TargetGroupArn"], a, b)
    described = elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])
    by_port = {d["Target"]["Port"]: d for d in described["TargetHealthDescriptions"]}
    assert set(by_port) == {a.port, b.port}
    for backend in (a, b):
        d = by_port[backend.port]
        assert d["Target"]["Id"] == "127.0.0.1"
        assert d["HealthCheckPort"] == str(backend.port)  # traffic-port
        assert d["TargetHealth"] == {"State": "healthy"}, d
        # ELB's health checker asked the group's path.
        assert backend.health_checks(), backend.requests
        assert {path for path, _ in backend.health_checks()} == {"/health"}
    (tg_now,) = elbv2.describe_target_groups(TargetGroupArns=[tg["TargetGroupArn"]])["TargetGroups"]
    assert tg_now["LoadBalancerArns"] == [lb["LoadBalancerArn"]]

    url = listener_url(elbv2, lb, listener["ListenerArn"])
    bodies = [answers(url, 1, path=f"/rr/{i}")[0] for i in range(10)]
    assert collections.Counter(bodies) == {"backend-a": 5, "backend-b": 5}, bodies
    assert all(x != y for x, y in zip(bodies, bodies[1:])), f"not round robin: {bodies}"
    assert sorted(a.traffic() + b.traffic()) == sorted(f"/rr/{i}" for i in range(10))

    # Without the listener, nothing uses the group again.
    elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
    health = health_of(elbv2, tg["TargetGroupArn"])
    assert {s["State"] for s in health.values()} == {"unused"}, health
    assert {s.get("Reason") for s in health.values()} == {"Target.NotInUse"}, health


def test_stopped_backend_turns_unhealthy_and_gets_no_traffic(elbv2, elb):
    a, b = elb.backend("alive"), elb.backend("doomed")
    lb, tg, listener, url = serving(elb, elbv2, a, b)
    tg_arn = tg["TargetGroupArn"]
    assert collections.Counter(answers(url, 4)) == {"alive": 2, "doomed": 2}

    b.stop()

    def stopped_is_unhealthy():
        health = health_of(elbv2, tg_arn)
        return health if health[b.port]["State"] == "unhealthy" else None
    unhealthy = poll("the stopped backend to be unhealthy", stopped_is_unhealthy)
    assert unhealthy[b.port]["Reason"] in ("Target.FailedHealthChecks", "Target.Timeout"), unhealthy
    assert unhealthy[b.port].get("Description"), unhealthy
    assert unhealthy[a.port] == {"State": "healthy"}, unhealthy
    assert answers(url, 6) == ["alive"] * 6

    # With a deregistration delay of 0, a deregistered target is gone at once.
    elbv2.modify_target_group_attributes(
        TargetGroupArn=tg_arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}])
    elbv2.deregister_targets(TargetGroupArn=tg_arn, Targets=[b.target])
    elbv2.get_waiter("target_deregistered").wait(TargetGroupArn=tg_arn, Targets=[b.target],
                                                 WaiterConfig=WAIT)
    assert health_of(elbv2, tg_arn, [b])[b.port]["Reason"] == "Target.NotRegistered"
    assert set(health_of(elbv2, tg_arn)) == {a.port}
    assert answers(url, 3) == ["alive"] * 3


def test_deregistered_target_drains_for_the_deregistration_delay(elbv2, elb):
    # ELB: with no request in flight the deregistration completes at once, "however, even though
    # target deregistration is complete, the status of the target is displayed as draining until
    # the deregistration delay timeout expires" (ALB guide, Deregistration delay).
    delay = 3
    a = elb.backend("drained")
    lb, tg, listener, url = serving(elb, elbv2, a)
    tg_arn = tg["TargetGroupArn"]
    elbv2.modify_target_group_attributes(
        TargetGroupArn=tg_arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
    start = time.monotonic()
    elbv2.deregister_targets(TargetGroupArn=tg_arn, Targets=[a.target])
    health = health_of(elbv2, tg_arn, [a])[a.port]
    assert (health["State"], health.get("Reason")) == ("draining", "Target.DeregistrationInProgress"), health
    states = set()
    while time.monotonic() - start < delay - 1:
        states.add(health_of(elbv2, tg_arn, [a])[a.port]["State"])
        time.sleep(0.2)
    assert states == {"draining"}, f"within {delay - 1}s of a {delay}s delay: {states}"
    elbv2.get_waiter("target_deregistered").wait(TargetGroupArn=tg_arn, Targets=[a.target],
                                                 WaiterConfig=WAIT)
    assert health_of(elbv2, tg_arn) == {}


# --- rules --------------------------------------------------------------------------------------

def test_rules_route_requests_by_priority(elbv2, elb):
    api = elb.backend("api-backend")
    lb = elb.load_balancer()
    tg = elb.target_group(VpcId=lb["VpcId"])
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[api.target])
    listener = elb.listener(lb["LoadBalancerArn"], fixed("no rule matched", status="404"))
    listener_arn = listener["ListenerArn"]

    (by_path,) = elbv2.create_rule(
        ListenerArn=listener_arn, Priority=10,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
        Actions=forward(tg["TargetGroupArn"]))["Rules"]
    assert (by_path["Priority"], by_path["IsDefault"]) == ("10", False)
    assert [(x["Type"], x["TargetGroupArn"]) for x in by_path["Actions"]] == [
        ("forward", tg["TargetGroupArn"])]
    (by_host,) = elbv2.create_rule(
        ListenerArn=listener_arn, Priority=5,
        Conditions=[{"Field": "host-header", "Values": ["admin.example.com"]}],
        Actions=fixed("admin area"))["Rules"]
    (teapot,) = elbv2.create_rule(
        ListenerArn=listener_arn, Priority=20,
        Conditions=[{"Field": "path-pattern", "Values": ["/teapot"]}],
        Actions=fixed("short and stout", status="418"))["Rules"]

    # By priority, the default rule last; priorities are strings, the default's is "default".
    rules = elbv2.describe_rules(ListenerArn=listener_arn)["Rules"]
    assert [(r["Priority"], r["IsDefault"]) for r in rules] == [
        ("5", False), ("10", False), ("20", False), ("default", True)]
    assert [r["RuleArn"] for r in rules[:3]] == [by_host["RuleArn"], by_path["RuleArn"],
                                                 teapot["RuleArn"]]
    assert rules[3]["Conditions"] == []
    assert rules[3]["Actions"] == listener["DefaultActions"]
    (path_condition,) = rules[1]["Conditions"]
    assert path_condition["Field"] == "path-pattern"
    assert path_condition["PathPatternConfig"]["Values"] == ["/api/*"]
    (host_condition,) = rules[0]["Conditions"]
    assert host_condition["Field"] == "host-header"
    assert host_condition["Values"] == ["admin.example.com"]

    with pytest.raises(elbv2.exceptions.PriorityInUseException) as e:
        elbv2.create_rule(ListenerArn=listener_arn, Priority=20,
                          Conditions=[{"Field": "path-pattern", "Values": ["/other"]}],
                          Actions=fixed("never"))
    assert_elb_error(e.value, "PriorityInUse")
    with pytest.raises(elbv2.exceptions.OperationNotPermittedException) as e:
        elbv2.delete_rule(RuleArn=rules[3]["RuleArn"])
    assert_elb_error(e.value, "OperationNotPermitted")

    wait_in_service(elbv2, tg["TargetGroupArn"], api)
    url = listener_url(elbv2, lb, listener_arn)

    def teapot_answer():
        answer = http_get(f"{url}/teapot")
        return answer if answer[0] == 418 else None
    status, headers, body = poll("the teapot rule to answer", teapot_answer)
    assert body == "short and stout"
    assert headers["Content-Type"].startswith("text/plain"), dict(headers)
    assert http_get(f"{url}/api/users")[::2] == (200, "api-backend")
    assert http_get(f"{url}/", host="admin.example.com")[::2] == (200, "admin area")
    assert http_get(f"{url}/elsewhere")[::2] == (404, "no rule matched")
    # Both the host rule (5) and the path rule (10) match: the lower priority wins.
    assert http_get(f"{url}/api/users", host="admin.example.com")[::2] == (200, "admin area")

    swapped = elbv2.set_rule_priorities(RulePriorities=[
        {"RuleArn": by_host["RuleArn"], "Priority": 10},
        {"RuleArn": by_path["RuleArn"], "Priority": 5}])["Rules"]
    assert {r["RuleArn"]: r["Priority"] for r in swapped} == {by_host["RuleArn"]: "10",
                                                              by_path["RuleArn"]: "5"}
    rules = elbv2.describe_rules(ListenerArn=listener_arn)["Rules"]
    assert [(r["RuleArn"], r["Priority"]) for r in rules] == [
        (by_path["RuleArn"], "5"), (by_host["RuleArn"], "10"), (teapot["RuleArn"], "20"),
        (rules[3]["RuleArn"], "default")]
    poll("the path rule to win after the swap",
         lambda: http_get(f"{url}/api/users", host="admin.example.com")[::2] == (200, "api-backend"))
    assert http_get(f"{url}/", host="admin.example.com")[::2] == (200, "admin area")

    with pytest.raises(elbv2.exceptions.PriorityInUseException) as e:
        elbv2.set_rule_priorities(RulePriorities=[{"RuleArn": teapot["RuleArn"], "Priority": 5}])
    assert_elb_error(e.value, "PriorityInUse")

    elbv2.delete_rule(RuleArn=teapot["RuleArn"])
    assert [r["Priority"] for r in elbv2.describe_rules(ListenerArn=listener_arn)["Rules"]] == [
        "5", "10", "default"]
    poll("the deleted rule to stop answering",
         lambda: http_get(f"{url}/teapot")[::2] == (404, "no rule matched"))
    with pytest.raises(elbv2.exceptions.RuleNotFoundException) as e:
        elbv2.describe_rules(RuleArns=[teapot["RuleArn"]])
    assert_elb_error(e.value, "RuleNotFound")


def test_weighted_forward_shares_requests_one_to_three(elbv2, elb):
    one, three = elb.backend("weight-1"), elb.backend("weight-3")
    lb = elb.load_balancer()
    tg1 = elb.target_group(VpcId=lb["VpcId"])
    tg3 = elb.target_group(VpcId=lb["VpcId"])
    elbv2.register_targets(TargetGroupArn=tg1["TargetGroupArn"], Targets=[one.target])
    elbv2.register_targets(TargetGroupArn=tg3["TargetGroupArn"], Targets=[three.target])
    listener = elb.listener(lb["LoadBalancerArn"], [{"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": tg1["TargetGroupArn"], "Weight": 1},
                         {"TargetGroupArn": tg3["TargetGroupArn"], "Weight": 3}]}}])
    (action,) = listener["DefaultActions"]
    assert action["Type"] == "forward"
    assert [(g["TargetGroupArn"], g["Weight"]) for g in action["ForwardConfig"]["TargetGroups"]] == [
        (tg1["TargetGroupArn"], 1), (tg3["TargetGroupArn"], 3)]
    wait_in_service(elbv2, tg1["TargetGroupArn"], one)
    wait_in_service(elbv2, tg3["TargetGroupArn"], three)
    for tg in (tg1, tg3):
        (now,) = elbv2.describe_target_groups(TargetGroupArns=[tg["TargetGroupArn"]])["TargetGroups"]
        assert now["LoadBalancerArns"] == [lb["LoadBalancerArn"]]

    url = listener_url(elbv2, lb, listener["ListenerArn"])
    counts = collections.Counter(answers(url, 40))
    assert counts == {"weight-1": 10, "weight-3": 30}, counts


# --- errors -------------------------------------------------------------------------------------

def test_missing_load_balancer_is_load_balancer_not_found(elbv2, new_name):
    missing = new_name("missing")
    with pytest.raises(elbv2.exceptions.LoadBalancerNotFoundException) as e:
        elbv2.describe_load_balancers(Names=[missing])
    assert_elb_error(e.value, "LoadBalancerNotFound")
    arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:loadbalancer/app/{missing}/0123456789abcdef"
    with pytest.raises(elbv2.exceptions.LoadBalancerNotFoundException) as e:
        elbv2.describe_load_balancers(LoadBalancerArns=[arn])
    assert_elb_error(e.value, "LoadBalancerNotFound")
    with pytest.raises(elbv2.exceptions.LoadBalancerNotFoundException) as e:
        elbv2.describe_listeners(LoadBalancerArn=arn)
    assert_elb_error(e.value, "LoadBalancerNotFound")
    # Deleting a load balancer that does not exist succeeds.
    resp = elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_missing_target_group_is_target_group_not_found(elbv2, new_name):
    missing = new_name("missing")
    arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/{missing}/0123456789abcdef"
    calls = [
        lambda: elbv2.describe_target_groups(Names=[missing]),
        lambda: elbv2.describe_target_groups(TargetGroupArns=[arn]),
        lambda: elbv2.describe_target_health(TargetGroupArn=arn),
        lambda: elbv2.register_targets(TargetGroupArn=arn, Targets=[{"Id": "127.0.0.1", "Port": 80}]),
        lambda: elbv2.describe_target_group_attributes(TargetGroupArn=arn),
    ]
    for call in calls:
        with pytest.raises(elbv2.exceptions.TargetGroupNotFoundException) as e:
            call()
        assert_elb_error(e.value, "TargetGroupNotFound")


@pytest.mark.parametrize("call", [
    lambda elbv2: elbv2.describe_load_balancers(LoadBalancerArns=["not-an-arn"]),
    lambda elbv2: elbv2.describe_target_groups(TargetGroupArns=["not-an-arn"]),
    lambda elbv2: elbv2.describe_target_health(TargetGroupArn="not-an-arn"),
], ids=["DescribeLoadBalancers", "DescribeTargetGroups", "DescribeTargetHealth"])
def test_malformed_arn_is_validation_error(elbv2, call):
    # ELB parses an ARN before it looks for the resource: "'not-an-arn' is not a valid target
    # group ARN" (load balancer ARN, ...), a ValidationError, not a not-found error.
    with pytest.raises(ClientError) as e:
        call(elbv2)
    assert_elb_error(e.value, "ValidationError")
    assert "not a valid" in e.value.response["Error"]["Message"], e.value.response


def test_second_listener_on_a_port_is_duplicate_listener(elbv2, elb):
    lb = elb.load_balancer()
    listener = elb.listener(lb["LoadBalancerArn"], fixed("first"))
    with pytest.raises(elbv2.exceptions.DuplicateListenerException) as e:
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP",
                              Port=listener["Port"], DefaultActions=fixed("second"))
    assert_elb_error(e.value, "DuplicateListener")
    assert len(elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]) == 1


def test_deleting_a_target_group_in_use_is_resource_in_use(elbv2, elb):
    lb = elb.load_balancer()
    tg = elb.target_group(VpcId=lb["VpcId"])
    listener = elb.listener(lb["LoadBalancerArn"], forward(tg["TargetGroupArn"]))
    with pytest.raises(elbv2.exceptions.ResourceInUseException) as e:
        elbv2.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
    assert_elb_error(e.value, "ResourceInUse")
    assert elbv2.describe_target_groups(TargetGroupArns=[tg["TargetGroupArn"]])["TargetGroups"]
    # Once nothing forwards to it, it can go.
    elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
    elbv2.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
    with pytest.raises(elbv2.exceptions.TargetGroupNotFoundException):
        elbv2.describe_target_groups(TargetGroupArns=[tg["TargetGroupArn"]])


@pytest.mark.parametrize("bad", ["under_score", "-leading-hyphen", "x" * 33, "internal-lb"])
def test_invalid_load_balancer_name_is_validation_error(elbv2, bad):
    with pytest.raises(ClientError) as e:
        elbv2.create_load_balancer(Name=bad, Subnets=SUBNETS)
    assert_elb_error(e.value, "ValidationError")


@pytest.mark.parametrize("bad", ["under_score", "trailing-hyphen-", "x" * 33])
def test_invalid_target_group_name_is_validation_error(elbv2, bad):
    with pytest.raises(ClientError) as e:
        elbv2.create_target_group(Name=bad, Protocol="HTTP", Port=80, TargetType="ip", VpcId=VPC)
    assert_elb_error(e.value, "ValidationError")


def test_target_group_on_two_load_balancers_is_association_limit(elbv2, elb):
    first, second = elb.load_balancer(), elb.load_balancer()
    tg = elb.target_group(VpcId=first["VpcId"])
    elb.listener(first["LoadBalancerArn"], forward(tg["TargetGroupArn"]))
    with pytest.raises(elbv2.exceptions.TargetGroupAssociationLimitException) as e:
        elbv2.create_listener(LoadBalancerArn=second["LoadBalancerArn"], Protocol="HTTP",
                              Port=free_port(), DefaultActions=forward(tg["TargetGroupArn"]))
    assert_elb_error(e.value, "TargetGroupAssociationLimit")
    assert elbv2.describe_listeners(LoadBalancerArn=second["LoadBalancerArn"])["Listeners"] == []


# --- attributes ---------------------------------------------------------------------------------

def test_load_balancer_attributes_and_deletion_protection(elbv2, elb):
    lb = elb.load_balancer()
    arn = lb["LoadBalancerArn"]
    current = attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
    assert current["idle_timeout.timeout_seconds"] == "60"
    assert current["deletion_protection.enabled"] == "false"

    changed = elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "idle_timeout.timeout_seconds", "Value": "120"},
        {"Key": "deletion_protection.enabled", "Value": "true"}])["Attributes"]
    assert attributes(changed)["idle_timeout.timeout_seconds"] == "120"
    assert attributes(changed)["deletion_protection.enabled"] == "true"
    current = attributes(elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"])
    assert current["idle_timeout.timeout_seconds"] == "120"
    assert current["deletion_protection.enabled"] == "true"

    with pytest.raises(elbv2.exceptions.OperationNotPermittedException) as e:
        elbv2.delete_load_balancer(LoadBalancerArn=arn)
    assert_elb_error(e.value, "OperationNotPermitted")
    assert elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]

    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "false"}])
    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    with pytest.raises(elbv2.exceptions.LoadBalancerNotFoundException):
        elbv2.describe_load_balancers(LoadBalancerArns=[arn])


def test_unknown_load_balancer_attribute_is_invalid_configuration(elbv2, elb):
    # As ELB answers e.g. an ALB-only key on a network load balancer: "Key ... not valid".
    lb = elb.load_balancer()
    with pytest.raises(elbv2.exceptions.InvalidConfigurationRequestException) as e:
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
            {"Key": "no_such.attribute", "Value": "1"}])
    assert_elb_error(e.value, "InvalidConfigurationRequest")


def test_target_group_attributes(elbv2, elb):
    tg = elb.target_group()
    arn = tg["TargetGroupArn"]
    current = attributes(elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])
    assert current["deregistration_delay.timeout_seconds"] == "300"
    assert current["stickiness.enabled"] == "false"
    assert current["load_balancing.algorithm.type"] == "round_robin"
    changed = elbv2.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])["Attributes"]
    assert attributes(changed)["deregistration_delay.timeout_seconds"] == "30"
    current = attributes(elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"])
    assert current["deregistration_delay.timeout_seconds"] == "30"


def test_modify_attributes_answers_with_every_attribute(elbv2, elb):
    # ELB's Modify*Attributes answer with all of the resource's attributes, the changed ones
    # included (the AWS API reference's examples elbv2-modify-load-balancer-attributes-1/2 and
    # elbv2-modify-target-group-attributes-1), as Describe*Attributes would list them.
    lb = elb.load_balancer()
    changed = elbv2.modify_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": "30"}])["Attributes"]
    described = elbv2.describe_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]
    assert attributes(changed) == attributes(described)

    tg = elb.target_group()
    changed = elbv2.modify_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"],
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "600"}])["Attributes"]
    described = elbv2.describe_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"])["Attributes"]
    assert attributes(changed) == attributes(described)


# --- tags ---------------------------------------------------------------------------------------

def test_tags_on_a_load_balancer_and_a_target_group(elbv2, elb):
    lb = elb.load_balancer(Tags=[{"Key": "created", "Value": "with-it"}])
    tg = elb.target_group()
    arns = [lb["LoadBalancerArn"], tg["TargetGroupArn"]]

    def tags():
        out = elbv2.describe_tags(ResourceArns=arns)["TagDescriptions"]
        assert [d["ResourceArn"] for d in out] == arns
        return [{t["Key"]: t["Value"] for t in d["Tags"]} for d in out]

    assert tags() == [{"created": "with-it"}, {}]
    elbv2.add_tags(ResourceArns=arns, Tags=[{"Key": "env", "Value": "test"},
                                            {"Key": "team", "Value": "qa"}])
    assert tags() == [{"created": "with-it", "env": "test", "team": "qa"},
                      {"env": "test", "team": "qa"}]
    # A key added again takes the new value.
    elbv2.add_tags(ResourceArns=[tg["TargetGroupArn"]], Tags=[{"Key": "env", "Value": "prod"}])
    elbv2.remove_tags(ResourceArns=[lb["LoadBalancerArn"]], TagKeys=["team", "created"])
    assert tags() == [{"env": "test"}, {"env": "prod", "team": "qa"}]

    with pytest.raises(elbv2.exceptions.DuplicateTagKeysException) as e:
        elbv2.add_tags(ResourceArns=arns, Tags=[{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
    assert_elb_error(e.value, "DuplicateTagKeys")
    missing = lb["LoadBalancerArn"].rsplit("/", 1)[0] + "/0123456789abcdef"
    with pytest.raises(elbv2.exceptions.LoadBalancerNotFoundException) as e:
        elbv2.describe_tags(ResourceArns=[missing])
    assert_elb_error(e.value, "LoadBalancerNotFound")


# --- pagination ---------------------------------------------------------------------------------

def test_describe_load_balancers_paginator_page_size_one(ecsbox, new_name):
    # A region of its own: the walk sees only this test's load balancers.
    client = make_client(ecsbox.endpoint, region="ap-southeast-2", service="elbv2")
    with contextlib.ExitStack() as stack:
        elb = Resources(client, stack, new_name)
        mine = {elb.load_balancer("pg")["LoadBalancerName"] for _ in range(3)}
        pages = list(client.get_paginator("describe_load_balancers").paginate(
            PaginationConfig={"PageSize": 1}))
        assert [len(p["LoadBalancers"]) for p in pages] == [1, 1, 1], pages
        assert [bool(p.get("NextMarker")) for p in pages] == [True, True, False]
        walked = [lb["LoadBalancerName"] for p in pages for lb in p["LoadBalancers"]]
        assert len(walked) == 3 and set(walked) == mine, walked
        # The same walk by hand, with Marker.
        first = client.describe_load_balancers(PageSize=1)
        second = client.describe_load_balancers(PageSize=1, Marker=first["NextMarker"])
        assert [x["LoadBalancerName"] for x in first["LoadBalancers"] + second["LoadBalancers"]] == \
            walked[:2]


# --- listener port fallback (ecsbox: every listener listens on this machine) ----------------------

def test_listener_on_a_taken_port_listens_elsewhere_and_impairs_its_load_balancer(elbv2, elb):
    first = elb.load_balancer()
    port = elb.listener(first["LoadBalancerArn"], fixed("first"))["Port"]
    poll("the first listener to answer",
         lambda: http_get(f"http://{first['DNSName']}:{port}/")[::2] == (200, "first"))

    second = elb.load_balancer()
    elbv2.get_waiter("load_balancer_available").wait(
        LoadBalancerArns=[second["LoadBalancerArn"]], WaiterConfig=WAIT)
    listener = elb.listener(second["LoadBalancerArn"], fixed("second"), port=port)

    def impaired():
        (lb,) = elbv2.describe_load_balancers(
            LoadBalancerArns=[second["LoadBalancerArn"]])["LoadBalancers"]
        return lb if lb["State"]["Code"] == "active_impaired" else None
    state = poll("the second load balancer to be active_impaired", impaired)["State"]
    (described,) = elbv2.describe_listeners(ListenerArns=[listener["ListenerArn"]])["Listeners"]
    real = described["Port"]
    assert real != port
    assert str(port) in state["Reason"] and str(real) in state["Reason"], state
    assert http_get(f"http://{second['DNSName']}:{real}/")[::2] == (200, "second")
    assert http_get(f"http://{first['DNSName']}:{port}/")[::2] == (200, "first")
    (first_now,) = elbv2.describe_load_balancers(
        LoadBalancerArns=[first["LoadBalancerArn"]])["LoadBalancers"]
    assert first_now["State"] == {"Code": "active"}

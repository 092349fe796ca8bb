"""The AWS JSON 1.1 wire protocol with raw HTTP (urllib / http.client), requests signed with
SigV4 like an SDK would: unknown targets, malformed and hostile bodies, error shape and headers,
request ids, and a concurrent flood."""
import http.client
import json
import re
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

from ecsbox_server import TARGET_PREFIX
from helpers import CREDS, raw_call as call, signed_headers

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def short_code(type_name: str) -> str:
    return type_name.rsplit("#", 1)[-1]


def assert_error(result, code, status=400):
    st, headers, body = result
    assert st == status, result
    assert isinstance(body, dict), result
    assert short_code(body.get("__type", "")) == code, result
    assert isinstance(body.get("message", body.get("Message")), str), result
    assert headers.get("x-amzn-errortype", "").split(":")[0] == code, headers
    assert UUID_RE.match(headers.get("x-amzn-requestid", "")), headers
    assert headers.get("content-type", "").startswith("application/x-amz-json-1.1"), headers


def test_success_has_request_id_and_content_type(ecsbox):
    st, headers, body = call(ecsbox.endpoint, {})
    assert st == 200, body
    assert isinstance(body.get("clusterArns"), list)
    assert UUID_RE.match(headers.get("x-amzn-requestid", "")), headers
    assert headers.get("content-type", "").startswith("application/x-amz-json-1.1")


def test_request_ids_are_unique(ecsbox):
    ids = {call(ecsbox.endpoint, {})[1]["x-amzn-requestid"] for _ in range(20)}
    assert len(ids) == 20


def test_unknown_operation(ecsbox):
    assert_error(call(ecsbox.endpoint, {}, target=f"{TARGET_PREFIX}.NoSuchThing"),
                 "UnknownOperationException")


def test_unknown_target_prefix(ecsbox):
    assert_error(call(ecsbox.endpoint, {}, target="NoSuchServiceV20200101.ListClusters"),
                 "UnknownOperationException")


def test_missing_target_header(ecsbox):
    assert_error(call(ecsbox.endpoint, {}, target=None), "UnknownOperationException")


def test_unsupported_model_operation_names_itself(ecsbox):
    result = call(ecsbox.endpoint, {"service": "x", "cluster": "x", "taskDefinition": "x:1"},
                  target=f"{TARGET_PREFIX}.CreateTaskSet")
    assert_error(result, "UnsupportedFeatureException")
    assert "CreateTaskSet" in result[2]["message"]


@pytest.mark.parametrize("body", [b"{", b"{\"clusterName\": }", b"not json", b"{\"a\":1}}",
                                  b"{\"clusterName\": \"x\",}"])
def test_malformed_json(ecsbox, body):
    assert_error(call(ecsbox.endpoint, body, target=f"{TARGET_PREFIX}.CreateCluster"),
                 "SerializationException")


@pytest.mark.parametrize("body", [b"[]", b"\"text\"", b"42", b"null", b"true"])
def test_non_object_body(ecsbox, body):
    assert_error(call(ecsbox.endpoint, body), "SerializationException")


@pytest.mark.parametrize("target,body", [
    ("CreateCluster", {"clusterName": 5}),
    ("CreateCluster", {"clusterName": ["a"]}),
    ("CreateCluster", {"tags": {"key": "a"}}),
    ("CreateCluster", {"tags": [{"key": 1, "value": "b"}]}),
    ("ListClusters", {"maxResults": "ten"}),
    ("ListClusters", {"maxResults": 1.5}),
    ("DescribeClusters", {"clusters": "one"}),
    ("DescribeClusters", {"clusters": [1, 2]}),
    ("ListAccountSettings", {"effectiveSettings": "yes"}),
    ("RegisterTaskDefinition", {"family": "f", "containerDefinitions": [{"name": "a", "essential": "true"}]}),
])
def test_wrong_types(ecsbox, target, body):
    assert_error(call(ecsbox.endpoint, body, target=f"{TARGET_PREFIX}.{target}"),
                 "SerializationException")


def test_missing_required_member_is_validation_error(ecsbox):
    st, headers, body = call(ecsbox.endpoint, {"containerDefinitions": []},
                             target=f"{TARGET_PREFIX}.RegisterTaskDefinition")
    assert_error((st, headers, body), "InvalidParameterException")
    assert re.match(r"^1 validation error detected: ", body["message"]), body
    assert "family" in body["message"]


def test_several_constraint_violations_are_counted(ecsbox):
    st, headers, body = call(ecsbox.endpoint, {
        "clusterName": "c",
        "tags": [{"key": "", "value": "v"}, {"key": "k" * 129, "value": "v" * 300}],
    }, target=f"{TARGET_PREFIX}.CreateCluster")
    assert_error((st, headers, body), "InvalidParameterException")
    assert body["message"].startswith("3 validation errors detected: "), body


def test_enum_violation(ecsbox):
    st, headers, body = call(ecsbox.endpoint, {"sort": "SIDEWAYS"},
                             target=f"{TARGET_PREFIX}.ListTaskDefinitions")
    assert_error((st, headers, body), "InvalidParameterException")
    assert body["message"].startswith("1 validation error detected: "), body


def test_deep_nesting_is_refused_and_server_survives(ecsbox):
    depth = 100_000
    body = b'{"clusters":' + b"[" * depth + b"]" * depth + b"}"
    assert_error(call(ecsbox.endpoint, body, target=f"{TARGET_PREFIX}.DescribeClusters"),
                 "SerializationException")
    assert call(ecsbox.endpoint, {})[0] == 200


def test_invalid_utf8_body(ecsbox):
    body = b'{"clusterName": "bad\xff\xfename"}'
    assert_error(call(ecsbox.endpoint, body, target=f"{TARGET_PREFIX}.CreateCluster"),
                 "SerializationException")


def test_huge_body_is_answered_not_hung(ecsbox):
    size = 33 * 1024 * 1024  # above the 32 MiB limit
    padding = "x" * size
    body = json.dumps({"clusterName": "huge", "tags": [{"key": "k", "value": padding}]}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", ecsbox.port, timeout=30)
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": f"{TARGET_PREFIX}.CreateCluster",
               "Content-Length": str(len(body))}
    try:
        try:
            conn.request("POST", "/", body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        resp = conn.getresponse()
        status = resp.status
        raw = resp.read()
    finally:
        conn.close()
    assert status in (400, 413), (status, raw[:200])
    assert call(ecsbox.endpoint, {})[0] == 200


def test_unsigned_request_defaults_to_us_east_1(ecsbox, unique_name):
    st, _, body = call(ecsbox.endpoint, {"clusterName": unique_name},
                       target=f"{TARGET_PREFIX}.CreateCluster", sign=False)
    assert st == 200, body
    assert body["cluster"]["clusterArn"].startswith("arn:aws:ecs:us-east-1:000000000000:cluster/")


def test_region_from_credential_scope(ecsbox, unique_name):
    url = ecsbox.endpoint + "/"
    body = json.dumps({"clusterName": unique_name}).encode()
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": f"{TARGET_PREFIX}.CreateCluster"}
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(CREDS, "ecs", "ap-southeast-2").add_auth(req)
    r = urllib.request.Request(url, data=body, method="POST", headers=dict(req.headers.items()))
    with urllib.request.urlopen(r, timeout=30) as resp:
        out = json.loads(resp.read())
    assert out["cluster"]["clusterArn"] == (
        f"arn:aws:ecs:ap-southeast-2:000000000000:cluster/{unique_name}")


def test_timestamps_are_epoch_seconds(ecsbox, unique_name):
    st, _, body = call(ecsbox.endpoint, {
        "family": unique_name,
        "containerDefinitions": [{"name": "c", "image": "busybox", "memory": 32}],
    }, target=f"{TARGET_PREFIX}.RegisterTaskDefinition")
    assert st == 200, body
    registered_at = body["taskDefinition"]["registeredAt"]
    assert isinstance(registered_at, (int, float)) and registered_at > 1.6e9, registered_at


def test_concurrent_flood(ecsbox):
    """200 requests from 16 threads, each thread on its own keep-alive connection (as SDK
    connection pools do): all answered, none stalled behind another client's idle connection."""
    total, threads = 200, 16
    lock = threading.Lock()
    statuses, latencies = [], []
    local = threading.local()

    def one(i):
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", ecsbox.port, timeout=30)
        if i % 2:
            target, body = "ListClusters", b"{}"
        else:
            target, body = "DescribeClusters", json.dumps({"clusters": [f"flood-{i}"]}).encode()
        headers = signed_headers(ecsbox.endpoint + "/", body, f"{TARGET_PREFIX}.{target}")
        started = time.monotonic()
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        payload = json.loads(resp.read())
        with lock:
            latencies.append(time.monotonic() - started)
            statuses.append((resp.status, target, payload))
        return resp.status

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(one, range(total)))
    assert results == [200] * total
    assert len(statuses) == total
    for status, target, payload in statuses:
        if target == "DescribeClusters":
            assert payload["failures"][0]["reason"] == "MISSING"
    # Each request is a few milliseconds of work; seconds mean a client waited for a worker.
    assert max(latencies) < 2.0, f"slowest request took {max(latencies):.2f}s"

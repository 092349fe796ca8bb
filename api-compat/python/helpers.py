"""Helpers shared by the boto3 and CLI suites: clients, ARNs, fixtures, error checks, deep
comparison, tiny ECR images and their push. Importing this module also clears the AWS client
environment (no config files, no profile, no pager) so that every client sees only what the
tests give it."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from ecsbox_server import ACCOUNT_ID, REGION, REPO_ROOT, TARGET_PREFIX

os.environ["AWS_CONFIG_FILE"] = "/dev/null"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_PAGER"] = ""
os.environ["AWS_ACCESS_KEY_ID"] = "test"
os.environ["AWS_SECRET_ACCESS_KEY"] = "test"
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_DATA_PATH",
             "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_CA_BUNDLE"):
    os.environ.pop(_var, None)

FIXTURES_DIR = REPO_ROOT / "fixtures" / "task-definitions"
FIXTURE_FILES = ("web-app.json", "fargate-api.json", "minimal.json")
CURRENT_MODELS_DIR = REPO_ROOT / "src" / "protocol" / "models"

CLIENT_CONFIG = Config(
    retries={"max_attempts": 1, "mode": "standard"},
    connect_timeout=10,
    read_timeout=60,
)


CURRENT_MODELS = ("ecs/2014-11-13", "ecr/2015-09-21")


def current_model_data_path() -> str:
    """A fresh botocore data path holding the ECS and ECR models that ecsbox serves. Debian's
    botocore 1.29 and AWS CLI 2.9 predate e.g. DeleteTaskDefinitions and ECR's tag mutability
    exclusion filters; a data path is how a client loads a newer model. The caller removes the
    directory."""
    root = Path(tempfile.mkdtemp(prefix="ecsbox-models-"))
    for model in CURRENT_MODELS:
        target = root / model
        target.mkdir(parents=True)
        source = CURRENT_MODELS_DIR / model
        for name in ("service-2.json", "paginators-1.json", "waiters-2.json"):
            if (source / name).exists():
                shutil.copy(source / name, target / name)
    return str(root)


def make_client(endpoint: str, region: str = REGION, data_path: str | None = None,
                service: str = "ecs"):
    """An ECS (or, with service="ecr", ECR) client for ecsbox; with data_path, the model comes
    from there (see above)."""
    bsession = botocore.session.get_session()
    if data_path:
        bsession.get_component("data_loader").search_paths.insert(0, data_path)
    session = boto3.Session(
        botocore_session=bsession,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name=region,
    )
    return session.client(service, endpoint_url=endpoint, config=CLIENT_CONFIG)


CREDS = Credentials("test", "test")


def signed_headers(url, body: bytes, target: str | None, region="us-east-1", extra=None):
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    headers.update(extra or {})
    req = AWSRequest(method="POST", url=url, data=body, headers=headers)
    SigV4Auth(CREDS, "ecs", region).add_auth(req)
    return dict(req.headers.items())


def raw_call(endpoint, body, target=f"{TARGET_PREFIX}.ListClusters", sign=True, extra=None,
         timeout=30):
    """POST / and return (status, headers (lower-case keys), parsed JSON body or raw bytes)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    if sign:
        headers = signed_headers(endpoint + "/", body, target, extra=extra)
    else:
        headers = {"Content-Type": "application/x-amz-json-1.1", **(extra or {})}
        if target is not None:
            headers["X-Amz-Target"] = target
    req = urllib.request.Request(endpoint + "/", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, hdrs, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        status, hdrs, raw = err.code, err.headers, err.read()
    lower = {k.lower(): v for k, v in hdrs.items()}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw
    return status, lower, parsed


def cluster_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:ecs:{region}:{ACCOUNT_ID}:cluster/{name}"


def task_definition_arn(family: str, revision: int, region: str = REGION) -> str:
    return f"arn:aws:ecs:{region}:{ACCOUNT_ID}:task-definition/{family}:{revision}"


def repository_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:ecr:{region}:{ACCOUNT_ID}:repository/{name}"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES_DIR / name).read_text())


def error_code(exc) -> str:
    return exc.response["Error"]["Code"]


def error_message(exc) -> str:
    return exc.response["Error"].get("Message", "")


def assert_client_error(excinfo, code: str, status: int = 400, message_contains: str | None = None):
    """The error is `code` with HTTP `status`, the X-Amzn-ErrorType header and a request id."""
    err = excinfo.value
    assert error_code(err) == code, err.response
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == status, err.response
    if message_contains is not None:
        assert message_contains in error_message(err), err.response
    headers = err.response["ResponseMetadata"].get("HTTPHeaders", {})
    assert headers.get("x-amzn-errortype", "").split(":")[0] == code, headers
    assert headers.get("x-amzn-requestid"), headers


def assert_client_error_in(excinfo, codes, status: int = 400):
    """For cases where the AWS documentation does not pin the code down: one of `codes`."""
    code = error_code(excinfo.value)
    assert code in codes, excinfo.value.response
    assert_client_error(excinfo, code, status)


def deep_subset_mismatches(expected, actual, path="$"):
    """Where `expected` is not contained in `actual`: objects may gain keys, arrays must match in
    length and order element by element, scalars must be equal and of the same JSON type."""
    problems = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing (expected {value!r})")
            else:
                problems.extend(deep_subset_mismatches(value, actual[key], f"{path}.{key}"))
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        for i, (e, a) in enumerate(zip(expected, actual)):
            problems.extend(deep_subset_mismatches(e, a, f"{path}[{i}]"))
    elif type(expected) is not type(actual) or expected != actual:
        problems.append(f"{path}: expected {expected!r}, got {actual!r}")
    return problems


def deep_diff(a, b, path="$"):
    """Every place where two JSON-like values differ (for exact-equality assertions)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a:
                out.append(f"{path}.{key}: only in second ({b[key]!r})")
            elif key not in b:
                out.append(f"{path}.{key}: only in first ({a[key]!r})")
            else:
                out.extend(deep_diff(a[key], b[key], f"{path}.{key}"))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = []
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(deep_diff(x, y, f"{path}[{i}]"))
        return out
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} != {b!r}"]
    return []


def fixture_checks(request_body: dict, register_response: dict) -> list[str]:
    """What a registered fixture must satisfy: the request (less tags) is a deep subset of the
    returned taskDefinition, the tags come back beside it, and for awsvpc a missing hostPort
    equals containerPort."""
    td = register_response["taskDefinition"]
    body = {k: v for k, v in request_body.items() if k != "tags"}
    problems = deep_subset_mismatches(body, td)
    if request_body.get("tags"):
        if register_response.get("tags") != request_body["tags"]:
            problems.append(f"tags: sent {request_body['tags']!r}, got {register_response.get('tags')!r}")
    if request_body.get("networkMode") == "awsvpc":
        for ci, cd in enumerate(request_body["containerDefinitions"]):
            for pi, pm in enumerate(cd.get("portMappings", [])):
                got = td["containerDefinitions"][ci]["portMappings"][pi]
                if "hostPort" not in pm and got.get("hostPort") != pm["containerPort"]:
                    problems.append(f"awsvpc container {cd['name']} port {pi}: hostPort "
                                    f"{got.get('hostPort')!r} != containerPort {pm['containerPort']}")
    return problems


# --- ECR images: a tiny image built in memory and pushed through the layer API -----------------

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class TinyImage:
    """A one-layer Docker schema 2 image: the layer (a gzipped tar), the config, and the
    manifest as the exact text whose sha256 is the image digest."""
    layer: bytes
    config: bytes
    manifest: str

    @property
    def layer_digest(self) -> str:
        return sha256_digest(self.layer)

    @property
    def config_digest(self) -> str:
        return sha256_digest(self.config)

    @property
    def digest(self) -> str:
        return sha256_digest(self.manifest.encode())

    def descriptor(self, architecture: str = "amd64") -> dict:
        """This image as an entry of a manifest list."""
        return {"mediaType": DOCKER_MANIFEST, "size": len(self.manifest.encode()),
                "digest": self.digest, "platform": {"architecture": architecture, "os": "linux"}}


def tiny_image(content: str) -> TinyImage:
    """An image whose one file holds `content`: different contents, different digests."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        data = content.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))
    layer = gzip.compress(raw.getvalue(), mtime=0)
    config = json.dumps({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [sha256_digest(raw.getvalue())]},
    }, separators=(",", ":")).encode()
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG, "size": len(config),
                   "digest": sha256_digest(config)},
        "layers": [{"mediaType": DOCKER_LAYER, "size": len(layer), "digest": sha256_digest(layer)}],
    }, indent=3)  # as docker writes them
    return TinyImage(layer=layer, config=config, manifest=manifest)


def manifest_list(*images: TinyImage) -> str:
    return json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST_LIST,
                       "manifests": [image.descriptor(arch) for image, arch in
                                     zip(images, ("amd64", "arm64", "386", "s390x"))]}, indent=3)


def upload_blob(ecr, repository: str, data: bytes, part_size: int | None = None) -> str:
    """InitiateLayerUpload, UploadLayerPart (in parts of part_size, default all at once),
    CompleteLayerUpload; returns the digest."""
    upload_id = ecr.initiate_layer_upload(repositoryName=repository)["uploadId"]
    step = part_size or len(data)
    for first in range(0, len(data), step):
        part = data[first:first + step]
        ecr.upload_layer_part(repositoryName=repository, uploadId=upload_id, partFirstByte=first,
                              partLastByte=first + len(part) - 1, layerPartBlob=part)
    digest = sha256_digest(data)
    ecr.complete_layer_upload(repositoryName=repository, uploadId=upload_id, layerDigests=[digest])
    return digest


def push_image(ecr, repository: str, image: TinyImage, tag: str | None = None) -> dict:
    """Pushes as docker does: the blobs the repository lacks, then the manifest. Returns
    PutImage's image."""
    blobs = {image.layer_digest: image.layer, image.config_digest: image.config}
    check = ecr.batch_check_layer_availability(repositoryName=repository, layerDigests=list(blobs))
    for layer in check["layers"]:
        if layer["layerAvailability"] != "AVAILABLE":
            upload_blob(ecr, repository, blobs[layer["layerDigest"]])
    kwargs = {"imageTag": tag} if tag else {}
    return ecr.put_image(repositoryName=repository, imageManifest=image.manifest,
                         imageManifestMediaType=DOCKER_MANIFEST, **kwargs)["image"]

"""ECR images through boto3: the layer upload API (BatchCheckLayerAvailability,
InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, GetDownloadUrlForLayer), PutImage with
Docker schema 2 manifests and manifest lists, DescribeImages, ListImages, BatchGetImage,
BatchDeleteImage, lifecycle policy previews and their waiter; the AWS errors of each; a
non-empty repository; images surviving a crash, and lifecycle policies applied (servers of this
module's own). The images are built in memory (helpers.tiny_image)."""
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError

from ecsbox_server import EcsboxServer
from helpers import (ACCOUNT_ID, DOCKER_CONFIG, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST,
                     assert_client_error, error_code, make_client, manifest_list, push_image,
                     sha256_digest, tiny_image, upload_blob)

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                          r"[0-9a-fA-F]{12}$")
MIB = 1024 * 1024
# ECR's minimum size of every layer part but the last.
MIN_PART = 5 * MIB


def keep_last(count: int) -> str:
    return json.dumps({"rules": [{
        "rulePriority": 1,
        "description": f"Keep only the {count} most recent images",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                      "countNumber": count},
        "action": {"type": "expire"},
    }]})


def image_ids(ecr, repository, **kwargs):
    pages = ecr.get_paginator("list_images").paginate(repositoryName=repository, **kwargs)
    return [i for page in pages for i in page["imageIds"]]


def details(ecr, repository, **kwargs):
    pages = ecr.get_paginator("describe_images").paginate(repositoryName=repository, **kwargs)
    return [d for page in pages for d in page["imageDetails"]]


def detail_of(ecr, repository, image_id):
    (detail,) = ecr.describe_images(repositoryName=repository, imageIds=[image_id])["imageDetails"]
    return detail


@pytest.fixture
def repo(ecr, repo_name):
    """A fresh repository, deleted with whatever images it holds when the test ends."""
    name = repo_name()
    ecr.create_repository(repositoryName=name)
    yield name
    try:
        ecr.delete_repository(repositoryName=name, force=True)
    except ClientError as exc:
        if error_code(exc) != "RepositoryNotFoundException":
            raise


@pytest.fixture
def image(request):
    """A tiny image of this test's own (its digest differs from every other test's)."""
    return tiny_image(f"{request.node.name} {uuid.uuid4()}")


# --- The layer upload API -----------------------------------------------------------------------

def test_push_through_the_layer_api(ecr, repo, image):
    blobs = {image.config_digest: image.config, image.layer_digest: image.layer}
    check = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=list(blobs))
    assert check["failures"] == []
    assert [(l["layerDigest"], l["layerAvailability"]) for l in check["layers"]] == [
        (d, "UNAVAILABLE") for d in blobs]

    for digest, data in blobs.items():
        started = ecr.initiate_layer_upload(repositoryName=repo)
        upload_id = started["uploadId"]
        assert UUID_PATTERN.match(upload_id), upload_id
        assert isinstance(started["partSize"], int) and started["partSize"] >= MIN_PART
        part = ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0,
                                     partLastByte=len(data) - 1, layerPartBlob=data)
        assert {k: v for k, v in part.items() if k != "ResponseMetadata"} == {
            "registryId": ACCOUNT_ID, "repositoryName": repo, "uploadId": upload_id,
            "lastByteReceived": len(data) - 1}
        done = ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                         layerDigests=[digest])
        assert {k: v for k, v in done.items() if k != "ResponseMetadata"} == {
            "registryId": ACCOUNT_ID, "repositoryName": repo, "uploadId": upload_id,
            "layerDigest": digest}

    check = ecr.batch_check_layer_availability(repositoryName=repo, layerDigests=list(blobs))
    assert [(l["layerDigest"], l["layerAvailability"], l["layerSize"]) for l in check["layers"]] == [
        (d, "AVAILABLE", len(data)) for d, data in blobs.items()]

    put = ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1",
                        imageManifestMediaType=DOCKER_MANIFEST)["image"]
    assert put == {"registryId": ACCOUNT_ID, "repositoryName": repo,
                   "imageId": {"imageDigest": image.digest, "imageTag": "v1"},
                   "imageManifest": image.manifest, "imageManifestMediaType": DOCKER_MANIFEST}


def test_upload_in_several_parts(ecr, repo):
    data = bytes(range(256)) * (MIN_PART // 256) + b"the last, short part"
    upload_id = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    first = ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0,
                                  partLastByte=MIN_PART - 1, layerPartBlob=data[:MIN_PART])
    assert first["lastByteReceived"] == MIN_PART - 1
    last = ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=MIN_PART,
                                 partLastByte=len(data) - 1, layerPartBlob=data[MIN_PART:])
    assert last["lastByteReceived"] == len(data) - 1
    done = ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                     layerDigests=[sha256_digest(data)])
    assert done["layerDigest"] == sha256_digest(data)
    (layer,) = ecr.batch_check_layer_availability(repositoryName=repo,
                                                  layerDigests=[sha256_digest(data)])["layers"]
    assert layer["layerSize"] == len(data)


def test_upload_a_part_of_the_advertised_part_size(ecr, repo):
    started = ecr.initiate_layer_upload(repositoryName=repo)
    data = b"\x5a" * started["partSize"]
    part = ecr.upload_layer_part(repositoryName=repo, uploadId=started["uploadId"],
                                 partFirstByte=0, partLastByte=len(data) - 1, layerPartBlob=data)
    assert part["lastByteReceived"] == len(data) - 1


def test_layer_part_too_small(ecr, repo):
    upload_id = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    data = b"0123456789" * 200
    ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0,
                          partLastByte=999, layerPartBlob=data[:1000])
    # The model names the error on CompleteLayerUpload; refusing the part after the small one
    # would do as well.
    with pytest.raises(ClientError) as e:
        ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=1000,
                              partLastByte=1999, layerPartBlob=data[1000:])
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                  layerDigests=[sha256_digest(data)])
    assert_client_error(e, "LayerPartTooSmallException")


def test_batch_check_layer_availability_failures(ecr, repo):
    resp = ecr.batch_check_layer_availability(repositoryName=repo,
                                              layerDigests=["not-a-digest", ""])
    assert resp["layers"] == []
    assert [(f["layerDigest"], f["failureCode"]) for f in resp["failures"]] == [
        ("not-a-digest", "InvalidLayerDigest"), ("", "MissingLayerDigest")]
    assert all(f["failureReason"] for f in resp["failures"])


def test_upload_not_found(ecr, repo):
    unknown = str(uuid.uuid4())
    with pytest.raises(ClientError) as e:
        ecr.upload_layer_part(repositoryName=repo, uploadId=unknown, partFirstByte=0,
                              partLastByte=2, layerPartBlob=b"abc")
    assert_client_error(e, "UploadNotFoundException")
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=unknown,
                                  layerDigests=[sha256_digest(b"abc")])
    assert_client_error(e, "UploadNotFoundException")
    # An upload belongs to the repository it was started in.
    other = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    elsewhere = f"{repo}-other"
    ecr.create_repository(repositoryName=elsewhere)
    try:
        with pytest.raises(ClientError) as e:
            ecr.upload_layer_part(repositoryName=elsewhere, uploadId=other, partFirstByte=0,
                                  partLastByte=2, layerPartBlob=b"abc")
        assert_client_error(e, "UploadNotFoundException")
    finally:
        ecr.delete_repository(repositoryName=elsewhere)


def test_invalid_layer_part(ecr, repo):
    first = b"0" * (5 * 1024 * 1024)  # every part but the last is 5 MiB at least
    end = len(first) - 1
    upload_id = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0,
                          partLastByte=end, layerPartBlob=first)
    # A gap after the last byte received.
    with pytest.raises(ClientError) as e:
        ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=end + 11,
                              partLastByte=end + 13, layerPartBlob=b"abc")
    assert_client_error(e, "InvalidLayerPartException")
    # The error says where the upload stands, so the client can resume.
    assert e.value.response.get("uploadId") == upload_id, e.value.response
    assert e.value.response.get("repositoryName") == repo
    assert e.value.response.get("lastValidByteReceived") == end
    # Byte range and data that disagree.
    with pytest.raises(ClientError) as e:
        ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=end + 1,
                              partLastByte=end + 10, layerPartBlob=b"abc")
    assert_client_error(e, "InvalidLayerPartException")
    # The upload is still good from where it stood.
    ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=end + 1,
                          partLastByte=end + 3, layerPartBlob=b"abc")
    done = ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                     layerDigests=[sha256_digest(first + b"abc")])
    assert done["layerDigest"] == sha256_digest(first + b"abc")


def test_empty_upload(ecr, repo):
    upload_id = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                  layerDigests=[sha256_digest(b"")])
    assert_client_error(e, "EmptyUploadException")


def test_invalid_layer_digest_on_complete(ecr, repo):
    upload_id = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0,
                          partLastByte=4, layerPartBlob=b"hello")
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                  layerDigests=[sha256_digest(b"something else")])
    assert_client_error(e, "InvalidLayerException")


def test_layer_already_exists(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    upload_id = ecr.initiate_layer_upload(repositoryName=repo)["uploadId"]
    ecr.upload_layer_part(repositoryName=repo, uploadId=upload_id, partFirstByte=0,
                          partLastByte=len(image.layer) - 1, layerPartBlob=image.layer)
    with pytest.raises(ClientError) as e:
        ecr.complete_layer_upload(repositoryName=repo, uploadId=upload_id,
                                  layerDigests=[image.layer_digest])
    assert_client_error(e, "LayerAlreadyExistsException")


def test_get_download_url_for_layer(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    for digest in (image.layer_digest, image.config_digest):
        resp = ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=digest)
        assert resp["layerDigest"] == digest
        assert urlparse(resp["downloadUrl"]).scheme in ("http", "https"), resp["downloadUrl"]
    with pytest.raises(ClientError) as e:
        ecr.get_download_url_for_layer(repositoryName=repo,
                                       layerDigest=sha256_digest(b"never uploaded"))
    assert_client_error(e, "LayersNotFoundException")
    # Uploaded, but in no image: ECR will not serve it.
    loose = upload_blob(ecr, repo, b"a layer no image refers to")
    with pytest.raises(ClientError) as e:
        ecr.get_download_url_for_layer(repositoryName=repo, layerDigest=loose)
    assert_client_error(e, "LayerInaccessibleException")


def test_download_url_serves_the_layer(ecr, repo, image):
    """ECR's downloadUrl is a presigned URL: a plain GET, no credentials, gets the bytes."""
    push_image(ecr, repo, image, tag="v1")
    url = ecr.get_download_url_for_layer(repositoryName=repo,
                                         layerDigest=image.layer_digest)["downloadUrl"]
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, body = err.code, err.read()
    assert status == 200, (url, status, body[:200])
    assert body == image.layer


@pytest.mark.parametrize("call", [
    lambda ecr, n: ecr.initiate_layer_upload(repositoryName=n),
    lambda ecr, n: ecr.upload_layer_part(repositoryName=n, uploadId=str(uuid.uuid4()),
                                         partFirstByte=0, partLastByte=0, layerPartBlob=b"x"),
    lambda ecr, n: ecr.complete_layer_upload(repositoryName=n, uploadId=str(uuid.uuid4()),
                                             layerDigests=[sha256_digest(b"x")]),
    lambda ecr, n: ecr.batch_check_layer_availability(repositoryName=n,
                                                      layerDigests=[sha256_digest(b"x")]),
    lambda ecr, n: ecr.get_download_url_for_layer(repositoryName=n,
                                                  layerDigest=sha256_digest(b"x")),
    lambda ecr, n: ecr.put_image(repositoryName=n, imageManifest=tiny_image("x").manifest),
    lambda ecr, n: ecr.describe_images(repositoryName=n),
    lambda ecr, n: ecr.list_images(repositoryName=n),
    lambda ecr, n: ecr.batch_get_image(repositoryName=n, imageIds=[{"imageTag": "latest"}]),
    lambda ecr, n: ecr.batch_delete_image(repositoryName=n, imageIds=[{"imageTag": "latest"}]),
    lambda ecr, n: ecr.start_lifecycle_policy_preview(repositoryName=n,
                                                      lifecyclePolicyText=keep_last(1)),
    lambda ecr, n: ecr.get_lifecycle_policy_preview(repositoryName=n),
], ids=["InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload",
        "BatchCheckLayerAvailability", "GetDownloadUrlForLayer", "PutImage", "DescribeImages",
        "ListImages", "BatchGetImage", "BatchDeleteImage", "StartLifecyclePolicyPreview",
        "GetLifecyclePolicyPreview"])
def test_missing_repository(ecr, repo_name, call):
    missing = repo_name("missing-")
    with pytest.raises(ClientError) as e:
        call(ecr, missing)
    assert_client_error(e, "RepositoryNotFoundException", message_contains=missing)


# --- PutImage -----------------------------------------------------------------------------------

def test_put_image_without_tag(ecr, repo, image):
    put = push_image(ecr, repo, image)
    assert put["imageId"] == {"imageDigest": image.digest}
    assert image_ids(ecr, repo) == [{"imageDigest": image.digest}]
    assert "imageTags" not in detail_of(ecr, repo, {"imageDigest": image.digest})


def test_put_image_with_digest_and_without_media_type(ecr, repo, image):
    """The media type comes from the manifest itself when the request leaves it out."""
    push_image(ecr, repo, image, tag="first")
    again = ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="second",
                          imageDigest=image.digest)["image"]
    assert again["imageId"] == {"imageDigest": image.digest, "imageTag": "second"}
    assert again["imageManifestMediaType"] == DOCKER_MANIFEST


def test_put_image_adds_and_moves_tags(ecr, repo, image):
    other = tiny_image(f"another image {uuid.uuid4()}")
    push_image(ecr, repo, image, tag="v1")
    # The same manifest under a second tag: one image with two tags.
    ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="latest")
    assert sorted(detail_of(ecr, repo, {"imageTag": "v1"})["imageTags"]) == ["latest", "v1"]
    # Another image under "latest" (a mutable repository): the tag moves to it.
    push_image(ecr, repo, other, tag="latest")
    assert detail_of(ecr, repo, {"imageTag": "latest"})["imageDigest"] == other.digest
    assert detail_of(ecr, repo, {"imageDigest": image.digest})["imageTags"] == ["v1"]
    ids = image_ids(ecr, repo)
    assert sorted(ids, key=lambda i: i["imageTag"]) == [
        {"imageDigest": other.digest, "imageTag": "latest"},
        {"imageDigest": image.digest, "imageTag": "v1"}]


def test_image_already_exists(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1")
    assert_client_error(e, "ImageAlreadyExistsException")
    untagged = tiny_image(f"untagged {uuid.uuid4()}")
    push_image(ecr, repo, untagged)
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=untagged.manifest)
    assert_client_error(e, "ImageAlreadyExistsException")


def test_image_tag_already_exists_when_immutable(ecr, repo, image):
    ecr.put_image_tag_mutability(repositoryName=repo, imageTagMutability="IMMUTABLE")
    push_image(ecr, repo, image, tag="v1")
    other = tiny_image(f"other {uuid.uuid4()}")
    with pytest.raises(ClientError) as e:
        push_image(ecr, repo, other, tag="v1")
    assert_client_error(e, "ImageTagAlreadyExistsException")
    assert detail_of(ecr, repo, {"imageTag": "v1"})["imageDigest"] == image.digest
    # A new tag, or no tag, is still fine.
    ecr.put_image(repositoryName=repo, imageManifest=other.manifest, imageTag="v2")
    ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1-again")


def test_immutable_with_exclusion(ecr, ecr_current, repo, image):
    ecr_current.put_image_tag_mutability(
        repositoryName=repo, imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev-*"}])
    other = tiny_image(f"other {uuid.uuid4()}")
    push_image(ecr, repo, image, tag="dev-1")
    ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="release")
    # dev-* is excluded from immutability: it may move; other tags may not.
    push_image(ecr, repo, other, tag="dev-1")
    assert detail_of(ecr, repo, {"imageTag": "dev-1"})["imageDigest"] == other.digest
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=other.manifest, imageTag="release")
    assert_client_error(e, "ImageTagAlreadyExistsException")


def test_layers_not_found(ecr, repo, image):
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1")
    assert_client_error(e, "LayersNotFoundException")
    # With only the config uploaded, the layer is still missing.
    upload_blob(ecr, repo, image.config)
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1")
    assert_client_error(e, "LayersNotFoundException", message_contains=image.layer_digest)
    assert image_ids(ecr, repo) == []


def test_layers_of_another_repository_are_not_found(ecr, repo, image, repo_name):
    other = repo_name("other-")
    ecr.create_repository(repositoryName=other)
    try:
        push_image(ecr, other, image, tag="v1")
        with pytest.raises(ClientError) as e:
            ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1")
        assert_client_error(e, "LayersNotFoundException")
    finally:
        ecr.delete_repository(repositoryName=other, force=True)


def test_image_digest_does_not_match(ecr, repo, image):
    upload_blob(ecr, repo, image.layer)
    upload_blob(ecr, repo, image.config)
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="v1",
                      imageDigest=sha256_digest(b"some other manifest"))
    assert_client_error(e, "ImageDigestDoesNotMatchException")
    assert image_ids(ecr, repo) == []


@pytest.mark.parametrize("manifest", [
    "this is not a manifest",
    json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST}),
    json.dumps({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
                "config": {"mediaType": DOCKER_CONFIG, "size": 2, "digest": "sha256:zz"},
                "layers": []}),
], ids=["not-json", "no-config", "bad-digest"])
def test_put_image_invalid_manifest(ecr, repo, manifest):
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=manifest, imageTag="v1")
    assert_client_error(e, "InvalidParameterException")


def test_manifest_list(ecr, repo, image):
    arm = tiny_image(f"arm {uuid.uuid4()}")
    index = manifest_list(image, arm)
    push_image(ecr, repo, image)
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName=repo, imageManifest=index, imageTag="multi")
    assert_client_error(e, "ReferencedImagesNotFoundException", message_contains=arm.digest)

    push_image(ecr, repo, arm)
    put = ecr.put_image(repositoryName=repo, imageManifest=index, imageTag="multi",
                        imageManifestMediaType=DOCKER_MANIFEST_LIST)["image"]
    assert put["imageId"] == {"imageDigest": sha256_digest(index.encode()), "imageTag": "multi"}
    detail = detail_of(ecr, repo, {"imageTag": "multi"})
    assert detail["imageManifestMediaType"] == DOCKER_MANIFEST_LIST
    (got,) = ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "multi"}])["images"]
    assert got["imageManifest"] == index

    # An image the list refers to cannot be deleted from under it.
    resp = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": arm.digest}])
    assert resp["imageIds"] == []
    assert [(f["imageId"], f["failureCode"]) for f in resp["failures"]] == [
        ({"imageDigest": arm.digest}, "ImageReferencedByManifestList")]
    ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "multi"}])
    resp = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageDigest": arm.digest}])
    assert resp["failures"] == [] and resp["imageIds"] == [{"imageDigest": arm.digest}]


def test_manifest_list_size_is_its_largest_image(ecr, repo, image):
    big = tiny_image("a larger image " + "x" * 5000 + str(uuid.uuid4()))
    push_image(ecr, repo, image)
    push_image(ecr, repo, big)
    ecr.put_image(repositoryName=repo, imageManifest=manifest_list(image, big), imageTag="multi")
    sizes = [detail_of(ecr, repo, {"imageDigest": i.digest})["imageSizeInBytes"]
             for i in (image, big)]
    assert detail_of(ecr, repo, {"imageTag": "multi"})["imageSizeInBytes"] == max(sizes)


# --- DescribeImages, ListImages, BatchGetImage --------------------------------------------------

def test_describe_images(ecr, repo, image):
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    push_image(ecr, repo, image, tag="v1")
    after = datetime.now(timezone.utc) + timedelta(seconds=2)
    (detail,) = ecr.describe_images(repositoryName=repo)["imageDetails"]
    assert detail["registryId"] == ACCOUNT_ID
    assert detail["repositoryName"] == repo
    assert detail["imageDigest"] == image.digest
    assert detail["imageTags"] == ["v1"]
    assert detail["imageManifestMediaType"] == DOCKER_MANIFEST
    assert detail["artifactMediaType"] == DOCKER_CONFIG
    assert before <= detail["imagePushedAt"] <= after, detail["imagePushedAt"]
    # The compressed layers (whether the config counts is not documented).
    assert len(image.layer) <= detail["imageSizeInBytes"] <= len(image.layer) + len(image.config)
    assert detail_of(ecr, repo, {"imageTag": "v1"}) == detail
    assert detail_of(ecr, repo, {"imageDigest": image.digest}) == detail
    assert detail_of(ecr, repo, {"imageDigest": image.digest, "imageTag": "v1"}) == detail


def test_describe_images_not_found(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    for missing in ({"imageTag": "v2"}, {"imageDigest": sha256_digest(b"nothing")}):
        with pytest.raises(ClientError) as e:
            ecr.describe_images(repositoryName=repo, imageIds=[{"imageTag": "v1"}, missing])
        assert_client_error(e, "ImageNotFoundException")


def test_describe_images_filter(ecr, repo, image):
    untagged = tiny_image(f"untagged {uuid.uuid4()}")
    push_image(ecr, repo, image, tag="v1")
    push_image(ecr, repo, untagged)
    assert [d["imageDigest"] for d in details(ecr, repo, filter={"tagStatus": "TAGGED"})] == [
        image.digest]
    assert [d["imageDigest"] for d in details(ecr, repo, filter={"tagStatus": "UNTAGGED"})] == [
        untagged.digest]
    assert sorted(d["imageDigest"] for d in details(ecr, repo, filter={"tagStatus": "ANY"})) == \
        sorted([image.digest, untagged.digest])


def test_describe_images_and_list_images_paginate(ecr, repo):
    pushed = [tiny_image(f"page {i} {uuid.uuid4()}") for i in range(5)]
    for i, img in enumerate(pushed):
        push_image(ecr, repo, img, tag=f"t{i}")
    digests = sorted(i.digest for i in pushed)

    pages = list(ecr.get_paginator("describe_images").paginate(
        repositoryName=repo, PaginationConfig={"PageSize": 2}))
    assert [len(p["imageDetails"]) for p in pages] == [2, 2, 1]
    assert sorted(d["imageDigest"] for p in pages for d in p["imageDetails"]) == digests

    pages = list(ecr.get_paginator("list_images").paginate(
        repositoryName=repo, PaginationConfig={"PageSize": 2}))
    assert [len(p["imageIds"]) for p in pages] == [2, 2, 1]
    assert sorted(i["imageDigest"] for p in pages for i in p["imageIds"]) == digests

    with pytest.raises(ClientError) as e:
        ecr.list_images(repositoryName=repo, nextToken="not-a-token")
    assert_client_error(e, "InvalidParameterException")
    with pytest.raises(ClientError) as e:
        ecr.describe_images(repositoryName=repo, maxResults=1001)
    assert_client_error(e, "InvalidParameterException")
    with pytest.raises(ClientError) as e:
        ecr.describe_images(repositoryName=repo, imageIds=[{"imageTag": "t0"}], maxResults=2)
    assert_client_error(e, "InvalidParameterException")


def test_list_images(ecr, repo, image):
    untagged = tiny_image(f"untagged {uuid.uuid4()}")
    push_image(ecr, repo, image, tag="v1")
    ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="stable")
    push_image(ecr, repo, untagged)
    ids = image_ids(ecr, repo)
    # One entry per tag, and one without a tag for an untagged image.
    assert sorted(ids, key=lambda i: (i["imageDigest"] == image.digest, i.get("imageTag", ""))) == [
        {"imageDigest": untagged.digest},
        {"imageDigest": image.digest, "imageTag": "stable"},
        {"imageDigest": image.digest, "imageTag": "v1"}]
    assert sorted(i["imageTag"] for i in image_ids(ecr, repo, filter={"tagStatus": "TAGGED"})) == [
        "stable", "v1"]
    assert image_ids(ecr, repo, filter={"tagStatus": "UNTAGGED"}) == [
        {"imageDigest": untagged.digest}]


def test_list_images_empty_repository(ecr, repo):
    resp = ecr.list_images(repositoryName=repo)
    assert resp["imageIds"] == [] and "nextToken" not in resp
    assert ecr.describe_images(repositoryName=repo)["imageDetails"] == []


def test_batch_get_image(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    resp = ecr.batch_get_image(repositoryName=repo, imageIds=[
        {"imageTag": "v1"}, {"imageDigest": image.digest},
        {"imageDigest": image.digest, "imageTag": "v1"}])
    assert resp["failures"] == []
    assert [i["imageId"] for i in resp["images"]] == [
        {"imageDigest": image.digest, "imageTag": "v1"}, {"imageDigest": image.digest},
        {"imageDigest": image.digest, "imageTag": "v1"}]
    for got in resp["images"]:
        assert got["registryId"] == ACCOUNT_ID and got["repositoryName"] == repo
        assert got["imageManifest"] == image.manifest
        assert got["imageManifestMediaType"] == DOCKER_MANIFEST
    accepted = ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageTag": "v1"}],
                                   acceptedMediaTypes=[DOCKER_MANIFEST])
    assert [i["imageManifest"] for i in accepted["images"]] == [image.manifest]


def test_batch_get_image_failures(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    missing_digest = sha256_digest(b"nothing")
    resp = ecr.batch_get_image(repositoryName=repo, imageIds=[
        {"imageTag": "v1"},
        {"imageTag": "v2"},
        {"imageDigest": missing_digest},
        {"imageDigest": image.digest, "imageTag": "other"},
        {"imageDigest": "no-colon"},
        {},
    ])
    assert [i["imageId"] for i in resp["images"]] == [{"imageDigest": image.digest,
                                                       "imageTag": "v1"}]
    assert [(f["imageId"], f["failureCode"]) for f in resp["failures"]] == [
        ({"imageTag": "v2"}, "ImageNotFound"),
        ({"imageDigest": missing_digest}, "ImageNotFound"),
        ({"imageDigest": image.digest, "imageTag": "other"}, "ImageTagDoesNotMatchDigest"),
        ({"imageDigest": "no-colon"}, "InvalidImageDigest"),
        ({}, "MissingDigestAndTag"),
    ]
    assert all(f["failureReason"] for f in resp["failures"])


def test_batch_get_image_non_hex_digest(ecr, repo, image):
    push_image(ecr, repo, image, tag="v1")
    resp = ecr.batch_get_image(repositoryName=repo, imageIds=[{"imageDigest": "sha256:not-hex"}])
    assert [(f["imageId"], f["failureCode"]) for f in resp["failures"]] == [
        ({"imageDigest": "sha256:not-hex"}, "InvalidImageDigest")]


# --- BatchDeleteImage, RepositoryNotEmptyException ----------------------------------------------

def test_batch_delete_image(ecr, repo, image):
    other = tiny_image(f"other {uuid.uuid4()}")
    push_image(ecr, repo, image, tag="v1")
    ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="latest")
    push_image(ecr, repo, other, tag="old")

    # By tag, while the image has another: only the tag goes.
    resp = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "latest"}])
    assert resp["imageIds"] == [{"imageDigest": image.digest, "imageTag": "latest"}]
    assert resp["failures"] == []
    assert detail_of(ecr, repo, {"imageDigest": image.digest})["imageTags"] == ["v1"]
    # By its last tag: the image goes.
    resp = ecr.batch_delete_image(repositoryName=repo, imageIds=[{"imageTag": "old"}])
    assert resp["imageIds"] == [{"imageDigest": other.digest, "imageTag": "old"}]
    with pytest.raises(ClientError) as e:
        ecr.describe_images(repositoryName=repo, imageIds=[{"imageDigest": other.digest}])
    assert_client_error(e, "ImageNotFoundException")
    # By digest: the image and all its tags; absent ones are failures.
    ecr.put_image(repositoryName=repo, imageManifest=image.manifest, imageTag="again")
    missing = {"imageTag": "never-pushed"}
    resp = ecr.batch_delete_image(repositoryName=repo,
                                  imageIds=[{"imageDigest": image.digest}, missing])
    assert sorted(resp["imageIds"], key=lambda i: i["imageTag"]) == [
        {"imageDigest": image.digest, "imageTag": "again"},
        {"imageDigest": image.digest, "imageTag": "v1"}]
    assert [(f["imageId"], f["failureCode"]) for f in resp["failures"]] == [
        (missing, "ImageNotFound")]
    assert image_ids(ecr, repo) == []


def test_delete_repository_with_images(ecr, repo_name, image):
    name = repo_name()
    ecr.create_repository(repositoryName=name)
    push_image(ecr, name, image, tag="v1")
    with pytest.raises(ClientError) as e:
        ecr.delete_repository(repositoryName=name)
    assert_client_error(e, "RepositoryNotEmptyException", message_contains=name)
    assert image_ids(ecr, name) == [{"imageDigest": image.digest, "imageTag": "v1"}]

    deleted = ecr.delete_repository(repositoryName=name, force=True)["repository"]
    assert deleted["repositoryName"] == name
    # A new repository of the same name starts empty, and the layers must be pushed again.
    ecr.create_repository(repositoryName=name)
    try:
        assert image_ids(ecr, name) == []
        (layer,) = ecr.batch_check_layer_availability(
            repositoryName=name, layerDigests=[image.layer_digest])["layers"]
        assert layer["layerAvailability"] == "UNAVAILABLE"
    finally:
        ecr.delete_repository(repositoryName=name, force=True)


# --- Lifecycle policy previews ------------------------------------------------------------------

def test_lifecycle_policy_preview(ecr, repo):
    with pytest.raises(ClientError) as e:
        ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert_client_error(e, "LifecyclePolicyPreviewNotFoundException")
    pushed = []
    for i in range(3):
        img = tiny_image(f"preview {i} {uuid.uuid4()}")
        push_image(ecr, repo, img, tag=f"v{i}")
        pushed.append(img)
        time.sleep(0.01)  # distinct push times, oldest first

    text = keep_last(1)
    started = ecr.start_lifecycle_policy_preview(repositoryName=repo, lifecyclePolicyText=text)
    assert started["registryId"] == ACCOUNT_ID and started["repositoryName"] == repo
    assert json.loads(started["lifecyclePolicyText"]) == json.loads(text)
    assert started["status"] in ("IN_PROGRESS", "COMPLETE")

    ecr.get_waiter("lifecycle_policy_preview_complete").wait(
        repositoryName=repo, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    preview = ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert preview["status"] == "COMPLETE"
    assert json.loads(preview["lifecyclePolicyText"]) == json.loads(text)
    assert preview["summary"] == {"expiringImageTotalCount": 2}
    results = sorted(preview["previewResults"], key=lambda r: r["imageTags"])
    assert [(r["imageDigest"], r["imageTags"]) for r in results] == [
        (pushed[0].digest, ["v0"]), (pushed[1].digest, ["v1"])]
    for result in results:
        assert result["action"] == {"type": "EXPIRE"}
        assert result["appliedRulePriority"] == 1
        assert isinstance(result["imagePushedAt"], datetime)
    # A preview expires nothing.
    assert len(image_ids(ecr, repo)) == 3

    only = ecr.get_lifecycle_policy_preview(repositoryName=repo,
                                            imageIds=[{"imageTag": "v1"}])["previewResults"]
    assert [r["imageDigest"] for r in only] == [pushed[1].digest]


def test_lifecycle_policy_preview_of_the_repository_policy(ecr, repo, image):
    with pytest.raises(ClientError) as e:
        ecr.start_lifecycle_policy_preview(repositoryName=repo)
    assert_client_error(e, "LifecyclePolicyNotFoundException")
    push_image(ecr, repo, image, tag="v1")
    ecr.put_lifecycle_policy(repositoryName=repo, lifecyclePolicyText=keep_last(5))
    started = ecr.start_lifecycle_policy_preview(repositoryName=repo)
    assert json.loads(started["lifecyclePolicyText"]) == json.loads(keep_last(5))
    ecr.get_waiter("lifecycle_policy_preview_complete").wait(
        repositoryName=repo, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
    preview = ecr.get_lifecycle_policy_preview(repositoryName=repo)
    assert preview["previewResults"] == []
    assert preview["summary"] == {"expiringImageTotalCount": 0}


def test_lifecycle_policy_preview_invalid_policy(ecr, repo):
    bad = json.dumps({"rules": [{"rulePriority": 1, "description": "a rule without a selection",
                                 "action": {"type": "expire"}}]})
    with pytest.raises(ClientError) as e:
        ecr.start_lifecycle_policy_preview(repositoryName=repo, lifecyclePolicyText=bad)
    assert_client_error(e, "InvalidParameterException")


# --- Servers of this module's own: a crash, and lifecycle policies applied ----------------------

@pytest.fixture(scope="module")
def crashed():
    """Images pushed, the server killed with SIGKILL and started again on the same data
    directory. Yields the client and what was seen before the crash."""
    server = EcsboxServer().start_or_fail()
    try:
        ecr = make_client(server.endpoint, service="ecr")
        ecr.create_repository(repositoryName="crash/images")
        tagged, untagged = tiny_image("tagged before the crash"), tiny_image("untagged one")
        push_image(ecr, "crash/images", tagged, tag="v1")
        push_image(ecr, "crash/images", untagged)
        before = ecr.describe_images(repositoryName="crash/images")["imageDetails"]
        server.kill9()
        server.restart()
        yield {"ecr": make_client(server.endpoint, service="ecr"), "before": before,
               "tagged": tagged, "untagged": untagged}
    finally:
        server.cleanup()


def test_images_survive_a_crash(crashed):
    ecr, tagged = crashed["ecr"], crashed["tagged"]
    after = ecr.describe_images(repositoryName="crash/images")["imageDetails"]
    key = lambda d: d["imageDigest"]  # noqa: E731
    assert sorted(after, key=key) == sorted(crashed["before"], key=key)
    (got,) = ecr.batch_get_image(repositoryName="crash/images",
                                 imageIds=[{"imageTag": "v1"}])["images"]
    assert got["imageManifest"] == tagged.manifest
    layers = ecr.batch_check_layer_availability(
        repositoryName="crash/images",
        layerDigests=[tagged.layer_digest, tagged.config_digest])["layers"]
    assert [l["layerAvailability"] for l in layers] == ["AVAILABLE", "AVAILABLE"]
    assert ecr.get_download_url_for_layer(repositoryName="crash/images",
                                          layerDigest=tagged.layer_digest)["layerDigest"] == \
        tagged.layer_digest
    with pytest.raises(ClientError) as e:
        ecr.delete_repository(repositoryName="crash/images")
    assert_client_error(e, "RepositoryNotEmptyException")


def test_pushing_continues_after_a_crash(crashed):
    ecr, tagged = crashed["ecr"], crashed["tagged"]
    with pytest.raises(ClientError) as e:
        ecr.put_image(repositoryName="crash/images", imageManifest=tagged.manifest, imageTag="v1")
    assert_client_error(e, "ImageAlreadyExistsException")
    # The layers are there: a second tag needs no upload.
    ecr.put_image(repositoryName="crash/images", imageManifest=tagged.manifest, imageTag="v2")
    fresh = tiny_image("pushed after the crash")
    assert push_image(ecr, "crash/images", fresh, tag="v3")["imageId"]["imageDigest"] == \
        fresh.digest


def test_lifecycle_policy_is_applied():
    """ECR applies a lifecycle policy within a day; ecsbox every --lifecycle-policy-interval
    seconds. Afterwards only what the policy keeps is left, and lastEvaluatedAt moves."""
    server = EcsboxServer(extra_args=["--lifecycle-policy-interval", "0.5"]).start_or_fail()
    try:
        ecr = make_client(server.endpoint, service="ecr")
        ecr.create_repository(repositoryName="janitor")
        pushed = []
        for i in range(3):
            img = tiny_image(f"janitor {i}")
            push_image(ecr, "janitor", img, tag=f"v{i}")
            pushed.append(img)
            time.sleep(0.01)
        ecr.put_lifecycle_policy(repositoryName="janitor", lifecyclePolicyText=keep_last(1))
        deadline = time.monotonic() + 15
        while len(image_ids(ecr, "janitor")) > 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert image_ids(ecr, "janitor") == [{"imageDigest": pushed[2].digest, "imageTag": "v2"}]
        evaluated = ecr.get_lifecycle_policy(repositoryName="janitor")["lastEvaluatedAt"]
        assert evaluated > datetime.now(timezone.utc) - timedelta(seconds=30), evaluated
    finally:
        server.cleanup()

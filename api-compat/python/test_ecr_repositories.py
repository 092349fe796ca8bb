"""ECR repositories through boto3: CreateRepository, DescribeRepositories (and its paginator),
DeleteRepository, PutImageTagMutability, PutImageScanningConfiguration, repository policies,
lifecycle policies, tags, DescribeRegistry, GetAuthorizationToken; the AWS errors of each; region
isolation; and repositories surviving a crash (a server of this module's own)."""
import base64
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import pytest
from botocore.exceptions import ClientError

from ecsbox_server import EcsboxServer
from helpers import (ACCOUNT_ID, assert_client_error, deep_diff, error_code, make_client,
                     raw_call, repository_arn)

ECR_TARGET = "AmazonEC2ContainerRegistry_V20150921"
AUTH_TOKEN_LIFETIME = timedelta(hours=12)

# A repository policy as the ECR User Guide writes them: anyone may pull.
PULL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{
        "Sid": "AllowPull",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                   "ecr:BatchCheckLayerAvailability"],
    }],
}

# Lifecycle policies as the ECR User Guide's examples write them. The model wants at least 100
# characters of policy text, which botocore checks before sending.
EXPIRE_UNTAGGED = {"rules": [{
    "rulePriority": 1,
    "description": "Expire untagged images older than 14 days",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                  "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"},
}]}
KEEP_LAST_RELEASES = {"rules": [
    {
        "rulePriority": 1,
        "description": "Keep the last 5 release images",
        "selection": {"tagStatus": "tagged", "tagPrefixList": ["release"],
                      "countType": "imageCountMoreThan", "countNumber": 5},
        "action": {"type": "expire"},
    },
    {
        "rulePriority": 2,
        "description": "Keep the last 20 images of any kind",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
        "action": {"type": "expire"},
    },
]}


def rule(priority=1, **selection):
    """One expire rule; `selection` replaces the untagged/sinceImagePushed default wholesale."""
    return {"rulePriority": priority,
            "description": "a rule that pads the policy text past the model's minimum length",
            "selection": selection or {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                       "countUnit": "days", "countNumber": 1},
            "action": {"type": "expire"}}


def tags_of(ecr, name, region="us-east-1"):
    tags = ecr.list_tags_for_resource(resourceArn=repository_arn(name, region))["tags"]
    return {t["Key"]: t["Value"] for t in tags}


def describe_one(ecr, name):
    (repo,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    return repo


def all_repository_names(ecr):
    pages = ecr.get_paginator("describe_repositories").paginate()
    return [r["repositoryName"] for page in pages for r in page["repositories"]]


def within(moment, low, high):
    return low <= moment <= high


@pytest.fixture
def make_repo(ecr, repo_name):
    """Creates a repository (through `client`, default the stock us-east-1 one) and deletes it,
    images and all, when the test ends."""
    made = []

    def make(name=None, client=None, **kwargs):
        client = client or ecr
        name = name or repo_name()
        repo = client.create_repository(repositoryName=name, **kwargs)["repository"]
        made.append((client, name))
        return repo
    yield make
    for client, name in reversed(made):
        try:
            client.delete_repository(repositoryName=name, force=True)
        except ClientError as exc:
            if error_code(exc) != "RepositoryNotFoundException":
                raise


# --- CreateRepository ---------------------------------------------------------------------------

def test_create_repository_defaults(ecr, repo_name, make_repo):
    name = repo_name()
    before = datetime.now(timezone.utc) - timedelta(seconds=2)
    repo = make_repo(name)
    after = datetime.now(timezone.utc) + timedelta(seconds=2)
    assert repo["repositoryName"] == name
    assert repo["repositoryArn"] == repository_arn(name)
    assert repo["registryId"] == ACCOUNT_ID
    host, _, path = repo["repositoryUri"].partition("/")
    assert host and path == name, repo["repositoryUri"]
    assert within(repo["createdAt"], before, after), repo["createdAt"]
    assert repo["imageTagMutability"] == "MUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": False}
    assert repo["encryptionConfiguration"] == {"encryptionType": "AES256"}
    assert tags_of(ecr, name) == {}


def test_create_repository_response_metadata(ecr, repo_name):
    name = repo_name()
    resp = ecr.create_repository(repositoryName=name)
    try:
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")
    finally:
        ecr.delete_repository(repositoryName=name)


def test_create_repository_with_settings_and_tags(ecr, repo_name, make_repo):
    name = repo_name()
    tags = [{"Key": "team", "Value": "platform"}, {"Key": "env", "Value": ""}]
    repo = make_repo(name, registryId=ACCOUNT_ID, tags=tags, imageTagMutability="IMMUTABLE",
                     imageScanningConfiguration={"scanOnPush": True})
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert describe_one(ecr, name) == repo
    assert tags_of(ecr, name) == {"team": "platform", "env": ""}


def test_create_repository_kms_encryption(ecr, repo_name, make_repo):
    key = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    repo = make_repo(encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key})
    assert repo["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": key}
    assert describe_one(ecr, repo["repositoryName"])["encryptionConfiguration"] == {
        "encryptionType": "KMS", "kmsKey": key}


def test_create_repository_aes256_with_kms_key_is_refused(ecr, repo_name):
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName=repo_name(), encryptionConfiguration={
            "encryptionType": "AES256", "kmsKey": "alias/aws/ecr"})
    assert_client_error(e, "InvalidParameterException")


def test_create_repository_namespaced_name(ecr, repo_name, make_repo):
    name = repo_name("team-a/service.x/")
    repo = make_repo(name)
    assert repo["repositoryName"] == name
    assert repo["repositoryArn"] == repository_arn(name)
    assert repo["repositoryUri"].endswith("/" + name)
    assert describe_one(ecr, name)["repositoryArn"] == repository_arn(name)


def test_create_repository_already_exists(ecr, repo_name, make_repo):
    name = repo_name()
    first = make_repo(name, tags=[{"Key": "original", "Value": "yes"}])
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")
    assert_client_error(e, "RepositoryAlreadyExistsException", message_contains=name)
    # The existing repository is untouched.
    assert describe_one(ecr, name) == first
    assert tags_of(ecr, name) == {"original": "yes"}


@pytest.mark.parametrize("bad", [
    "UpperCase", "-leading-dash", "trailing-dash-", "double//slash", "trailing/", "has space",
    "dot.", "semi;colon", "x" * 257,
])
def test_create_repository_invalid_names(ecr, bad):
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName=bad)
    assert_client_error(e, "InvalidParameterException")


def test_create_repository_with_exclusion_filters(ecr_current, repo_name, make_repo):
    filters = [{"filterType": "WILDCARD", "filter": "latest"},
               {"filterType": "WILDCARD", "filter": "dev-*"}]
    repo = make_repo(client=ecr_current, imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
                     imageTagMutabilityExclusionFilters=filters)
    assert repo["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repo["imageTagMutabilityExclusionFilters"] == filters
    described = describe_one(ecr_current, repo["repositoryName"])
    assert described["imageTagMutabilityExclusionFilters"] == filters


@pytest.mark.parametrize("mutability,filters", [
    ("IMMUTABLE_WITH_EXCLUSION", None),
    ("MUTABLE_WITH_EXCLUSION", None),
    ("IMMUTABLE", [{"filterType": "WILDCARD", "filter": "latest"}]),
])
def test_create_repository_exclusion_filters_go_with_their_mutability(ecr_current, repo_name,
                                                                      mutability, filters):
    kwargs = {"imageTagMutabilityExclusionFilters": filters} if filters else {}
    with pytest.raises(ClientError) as e:
        ecr_current.create_repository(repositoryName=repo_name(), imageTagMutability=mutability,
                                      **kwargs)
    assert_client_error(e, "InvalidParameterException")


def test_create_repository_json_wire_format(ecsbox, repo_name, ecr):
    """createdAt is epoch seconds (a JSON number) on the wire, as the JSON protocol has it."""
    name = repo_name()
    status, headers, body = raw_call(ecsbox.endpoint, {"repositoryName": name},
                                     target=f"{ECR_TARGET}.CreateRepository")
    try:
        assert status == 200, body
        assert headers["content-type"].startswith("application/x-amz-json-1.1")
        created = body["repository"]["createdAt"]
        assert isinstance(created, (int, float)) and not isinstance(created, bool), body
        status, headers, body = raw_call(ecsbox.endpoint, {"repositoryName": name},
                                         target=f"{ECR_TARGET}.CreateRepository")
        assert status == 400
        assert body["__type"] == "RepositoryAlreadyExistsException", body
        assert isinstance(body["message"], str) and name in body["message"], body
        assert headers["x-amzn-errortype"].split(":")[0] == "RepositoryAlreadyExistsException"
    finally:
        ecr.delete_repository(repositoryName=name)


# --- DescribeRepositories -----------------------------------------------------------------------

def test_describe_repositories_by_name(ecr, make_repo):
    a, b = make_repo(), make_repo(imageTagMutability="IMMUTABLE")
    got = ecr.describe_repositories(
        repositoryNames=[b["repositoryName"], a["repositoryName"]])["repositories"]
    assert sorted(got, key=lambda r: r["repositoryName"]) == sorted(
        [a, b], key=lambda r: r["repositoryName"])
    assert "nextToken" not in ecr.describe_repositories(repositoryNames=[a["repositoryName"]])


def test_describe_repositories_missing_name(ecr, repo_name, make_repo):
    missing = repo_name("missing-")
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(repositoryNames=[missing])
    assert_client_error(e, "RepositoryNotFoundException", message_contains=missing)
    # One missing name fails the whole call, found names or not.
    present = make_repo()["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(repositoryNames=[present, missing])
    assert_client_error(e, "RepositoryNotFoundException", message_contains=missing)


def test_describe_repositories_lists_all(ecr, make_repo):
    names = [make_repo()["repositoryName"] for _ in range(3)]
    listed = all_repository_names(ecr)
    for name in names:
        assert listed.count(name) == 1
    assert len(listed) == len(set(listed))


def test_describe_repositories_paginator(repo_name, make_repo, ecsbox):
    # A region of its own, so the walk sees exactly this test's repositories.
    ecr = make_client(ecsbox.endpoint, region="ap-southeast-2", service="ecr")
    names = {make_repo(client=ecr)["repositoryName"] for _ in range(5)}
    paginator = ecr.get_paginator("describe_repositories")

    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [len(p["repositories"]) for p in pages] == [2, 2, 1]
    assert all("nextToken" in p for p in pages[:-1]) and "nextToken" not in pages[-1]
    walked = [r["repositoryName"] for p in pages for r in p["repositories"]]
    assert sorted(walked) == sorted(names)

    first = paginator.paginate(PaginationConfig={"MaxItems": 3, "PageSize": 2}).build_full_result()
    assert len(first["repositories"]) == 3 and first.get("NextToken")
    rest = paginator.paginate(PaginationConfig={"StartingToken": first["NextToken"],
                                                "PageSize": 2}).build_full_result()
    assert [r["repositoryName"] for r in first["repositories"] + rest["repositories"]] == walked


def test_describe_repositories_max_results(ecsbox, make_repo):
    ecr = make_client(ecsbox.endpoint, region="ap-northeast-2", service="ecr")
    for _ in range(3):
        make_repo(client=ecr)
    page = ecr.describe_repositories(maxResults=1)
    assert len(page["repositories"]) == 1 and page["nextToken"]
    page2 = ecr.describe_repositories(maxResults=1000, nextToken=page["nextToken"])
    assert len(page2["repositories"]) == 2 and "nextToken" not in page2
    assert page["repositories"][0] not in page2["repositories"]


def test_describe_repositories_names_with_max_results(ecr, make_repo):
    name = make_repo()["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(repositoryNames=[name], maxResults=10)
    assert_client_error(e, "InvalidParameterException")


def test_describe_repositories_max_results_out_of_range(ecr):
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(maxResults=1001)
    assert_client_error(e, "InvalidParameterException")


def test_describe_repositories_invalid_next_token(ecr):
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(nextToken="not-a-token")
    assert_client_error(e, "InvalidParameterException")


# --- DeleteRepository ---------------------------------------------------------------------------

def test_delete_repository(ecr, repo_name):
    name = repo_name()
    created = ecr.create_repository(repositoryName=name, imageTagMutability="IMMUTABLE")[
        "repository"]
    deleted = ecr.delete_repository(repositoryName=name, registryId=ACCOUNT_ID)["repository"]
    assert deleted == created
    assert name not in all_repository_names(ecr)
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(repositoryNames=[name])
    assert_client_error(e, "RepositoryNotFoundException")
    with pytest.raises(ClientError) as e:
        ecr.delete_repository(repositoryName=name)
    assert_client_error(e, "RepositoryNotFoundException", message_contains=name)


def test_delete_empty_repository_with_force(ecr, repo_name):
    name = repo_name()
    ecr.create_repository(repositoryName=name)
    assert ecr.delete_repository(repositoryName=name, force=True)["repository"][
        "repositoryName"] == name


def test_recreated_repository_starts_afresh(ecr, repo_name, make_repo):
    name = repo_name()
    ecr.create_repository(repositoryName=name, tags=[{"Key": "old", "Value": "1"}],
                          imageTagMutability="IMMUTABLE")
    ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(PULL_POLICY))
    ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=json.dumps(EXPIRE_UNTAGGED))
    ecr.delete_repository(repositoryName=name)
    repo = make_repo(name)
    assert repo["imageTagMutability"] == "MUTABLE"
    assert tags_of(ecr, name) == {}
    with pytest.raises(ClientError) as e:
        ecr.get_repository_policy(repositoryName=name)
    assert_client_error(e, "RepositoryPolicyNotFoundException")
    with pytest.raises(ClientError) as e:
        ecr.get_lifecycle_policy(repositoryName=name)
    assert_client_error(e, "LifecyclePolicyNotFoundException")


# --- PutImageTagMutability, PutImageScanningConfiguration ---------------------------------------

def test_put_image_tag_mutability(ecr, make_repo):
    name = make_repo()["repositoryName"]
    resp = ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="IMMUTABLE")
    assert {k: v for k, v in resp.items() if k != "ResponseMetadata"} == {
        "registryId": ACCOUNT_ID, "repositoryName": name, "imageTagMutability": "IMMUTABLE"}
    assert describe_one(ecr, name)["imageTagMutability"] == "IMMUTABLE"
    ecr.put_image_tag_mutability(repositoryName=name, imageTagMutability="MUTABLE")
    assert describe_one(ecr, name)["imageTagMutability"] == "MUTABLE"


def test_put_image_tag_mutability_with_exclusion_filters(ecr_current, make_repo):
    name = make_repo()["repositoryName"]
    filters = [{"filterType": "WILDCARD", "filter": "snapshot-*"}]
    resp = ecr_current.put_image_tag_mutability(
        repositoryName=name, imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
        imageTagMutabilityExclusionFilters=filters)
    assert resp["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert resp["imageTagMutabilityExclusionFilters"] == filters
    assert describe_one(ecr_current, name)["imageTagMutabilityExclusionFilters"] == filters
    # Back to plain MUTABLE: the filters go with the setting they belonged to.
    ecr_current.put_image_tag_mutability(repositoryName=name, imageTagMutability="MUTABLE")
    repo = describe_one(ecr_current, name)
    assert repo["imageTagMutability"] == "MUTABLE"
    assert "imageTagMutabilityExclusionFilters" not in repo
    with pytest.raises(ClientError) as e:
        ecr_current.put_image_tag_mutability(repositoryName=name,
                                             imageTagMutability="MUTABLE_WITH_EXCLUSION")
    assert_client_error(e, "InvalidParameterException")


def test_put_image_scanning_configuration(ecr, make_repo):
    name = make_repo()["repositoryName"]
    resp = ecr.put_image_scanning_configuration(
        repositoryName=name, imageScanningConfiguration={"scanOnPush": True})
    assert {k: v for k, v in resp.items() if k != "ResponseMetadata"} == {
        "registryId": ACCOUNT_ID, "repositoryName": name,
        "imageScanningConfiguration": {"scanOnPush": True}}
    assert describe_one(ecr, name)["imageScanningConfiguration"] == {"scanOnPush": True}


@pytest.mark.parametrize("call", [
    lambda ecr, n: ecr.put_image_tag_mutability(repositoryName=n, imageTagMutability="IMMUTABLE"),
    lambda ecr, n: ecr.put_image_scanning_configuration(
        repositoryName=n, imageScanningConfiguration={"scanOnPush": True}),
    lambda ecr, n: ecr.set_repository_policy(repositoryName=n, policyText=json.dumps(PULL_POLICY)),
    lambda ecr, n: ecr.get_repository_policy(repositoryName=n),
    lambda ecr, n: ecr.delete_repository_policy(repositoryName=n),
    lambda ecr, n: ecr.put_lifecycle_policy(repositoryName=n,
                                            lifecyclePolicyText=json.dumps(EXPIRE_UNTAGGED)),
    lambda ecr, n: ecr.get_lifecycle_policy(repositoryName=n),
    lambda ecr, n: ecr.delete_lifecycle_policy(repositoryName=n),
    lambda ecr, n: ecr.tag_resource(resourceArn=repository_arn(n),
                                    tags=[{"Key": "k", "Value": "v"}]),
    lambda ecr, n: ecr.untag_resource(resourceArn=repository_arn(n), tagKeys=["k"]),
    lambda ecr, n: ecr.list_tags_for_resource(resourceArn=repository_arn(n)),
], ids=["PutImageTagMutability", "PutImageScanningConfiguration", "SetRepositoryPolicy",
        "GetRepositoryPolicy", "DeleteRepositoryPolicy", "PutLifecyclePolicy",
        "GetLifecyclePolicy", "DeleteLifecyclePolicy", "TagResource", "UntagResource",
        "ListTagsForResource"])
def test_missing_repository(ecr, repo_name, call):
    missing = repo_name("missing-")
    with pytest.raises(ClientError) as e:
        call(ecr, missing)
    assert_client_error(e, "RepositoryNotFoundException", message_contains=missing)


# --- Repository policies ------------------------------------------------------------------------

def test_repository_policy_set_get_delete(ecr, make_repo):
    name = make_repo()["repositoryName"]
    text = json.dumps(PULL_POLICY)
    resp = ecr.set_repository_policy(repositoryName=name, policyText=text)
    assert resp["registryId"] == ACCOUNT_ID and resp["repositoryName"] == name
    assert json.loads(resp["policyText"]) == PULL_POLICY

    got = ecr.get_repository_policy(repositoryName=name)
    assert got["registryId"] == ACCOUNT_ID and got["repositoryName"] == name
    assert json.loads(got["policyText"]) == PULL_POLICY

    # Setting again replaces the policy.
    deny = {"Version": "2012-10-17", "Statement": {
        "Sid": "DenyPush", "Effect": "Deny", "Principal": {"AWS": "*"},
        "Action": "ecr:PutImage"}}
    ecr.set_repository_policy(repositoryName=name, policyText=json.dumps(deny))
    assert json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"]) == deny

    deleted = ecr.delete_repository_policy(repositoryName=name)
    assert deleted["registryId"] == ACCOUNT_ID and deleted["repositoryName"] == name
    assert json.loads(deleted["policyText"]) == deny
    with pytest.raises(ClientError) as e:
        ecr.get_repository_policy(repositoryName=name)
    assert_client_error(e, "RepositoryPolicyNotFoundException", message_contains=name)
    with pytest.raises(ClientError) as e:
        ecr.delete_repository_policy(repositoryName=name)
    assert_client_error(e, "RepositoryPolicyNotFoundException", message_contains=name)


def test_repository_without_policy(ecr, make_repo):
    name = make_repo()["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.get_repository_policy(repositoryName=name)
    assert_client_error(e, "RepositoryPolicyNotFoundException")


@pytest.mark.parametrize("text", [
    "not json at all",
    json.dumps(["a", "list"]),
    json.dumps({"Version": "2012-10-17"}),
    json.dumps({"Version": "2012-10-17", "Statement": []}),
    json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Maybe", "Principal": "*", "Action": "ecr:*"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*"}]}),
    json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*"}]}),
], ids=["not-json", "not-object", "no-statement", "empty-statement", "bad-effect",
        "no-principal", "no-action"])
def test_repository_policy_invalid(ecr, make_repo, text):
    name = make_repo()["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.set_repository_policy(repositoryName=name, policyText=text)
    assert_client_error(e, "InvalidParameterException")
    with pytest.raises(ClientError) as e:
        ecr.get_repository_policy(repositoryName=name)
    assert_client_error(e, "RepositoryPolicyNotFoundException")


# --- Lifecycle policies -------------------------------------------------------------------------

def test_lifecycle_policy_put_get_delete(ecr, make_repo):
    name = make_repo()["repositoryName"]
    resp = ecr.put_lifecycle_policy(repositoryName=name,
                                    lifecyclePolicyText=json.dumps(EXPIRE_UNTAGGED))
    assert resp["registryId"] == ACCOUNT_ID and resp["repositoryName"] == name
    assert json.loads(resp["lifecyclePolicyText"]) == EXPIRE_UNTAGGED

    got = ecr.get_lifecycle_policy(repositoryName=name)
    assert got["registryId"] == ACCOUNT_ID and got["repositoryName"] == name
    assert json.loads(got["lifecyclePolicyText"]) == EXPIRE_UNTAGGED
    assert isinstance(got["lastEvaluatedAt"], datetime)
    assert got["lastEvaluatedAt"] <= datetime.now(timezone.utc) + timedelta(seconds=5)

    ecr.put_lifecycle_policy(repositoryName=name, registryId=ACCOUNT_ID,
                             lifecyclePolicyText=json.dumps(KEEP_LAST_RELEASES))
    assert json.loads(ecr.get_lifecycle_policy(repositoryName=name)[
        "lifecyclePolicyText"]) == KEEP_LAST_RELEASES

    deleted = ecr.delete_lifecycle_policy(repositoryName=name)
    assert deleted["registryId"] == ACCOUNT_ID and deleted["repositoryName"] == name
    assert json.loads(deleted["lifecyclePolicyText"]) == KEEP_LAST_RELEASES
    assert isinstance(deleted["lastEvaluatedAt"], datetime)
    with pytest.raises(ClientError) as e:
        ecr.get_lifecycle_policy(repositoryName=name)
    assert_client_error(e, "LifecyclePolicyNotFoundException", message_contains=name)
    with pytest.raises(ClientError) as e:
        ecr.delete_lifecycle_policy(repositoryName=name)
    assert_client_error(e, "LifecyclePolicyNotFoundException", message_contains=name)


def test_repository_without_lifecycle_policy(ecr, make_repo):
    name = make_repo()["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.get_lifecycle_policy(repositoryName=name)
    assert_client_error(e, "LifecyclePolicyNotFoundException")


@pytest.mark.parametrize("policy", [
    "this is not JSON; " * 8,
    {"rules": []},
    {"rules": [rule(tagStatus="any", countNumber=1)]},
    {"rules": [{**rule(), "action": {"type": "delete"}}]},
    {"rules": [{k: v for k, v in rule().items() if k != "action"}]},
    {"rules": [rule(1), rule(1)]},
    {"rules": [rule(tagStatus="sometimes", countType="imageCountMoreThan", countNumber=1)]},
    {"rules": [rule(tagStatus="tagged", countType="imageCountMoreThan", countNumber=1)]},
    {"rules": [rule(tagStatus="any", countType="imageCountMoreThan", countNumber=0)]},
    {"rules": [rule(tagStatus="any", countType="imageCountMoreThan", countUnit="days",
                    countNumber=3)]},
    {"rules": [rule(tagStatus="any", countType="sinceImagePushed", countNumber=3)]},
    {"rules": [rule(tagStatus="any", countType="sinceImagePushed", countUnit="weeks",
                    countNumber=3)]},
], ids=["not-json", "no-rules", "no-count-type", "unknown-action", "no-action",
        "duplicate-priority", "bad-tag-status", "tagged-without-prefixes", "zero-count",
        "count-unit-with-image-count", "since-pushed-without-unit", "unit-not-days"])
def test_lifecycle_policy_invalid(ecr, make_repo, policy):
    name = make_repo()["repositoryName"]
    # Under 100 characters botocore refuses the text before sending; whitespace pads it.
    text = (policy if isinstance(policy, str) else json.dumps(policy)).ljust(100)
    with pytest.raises(ClientError) as e:
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=text)
    assert_client_error(e, "InvalidParameterException")
    with pytest.raises(ClientError) as e:
        ecr.get_lifecycle_policy(repositoryName=name)
    assert_client_error(e, "LifecyclePolicyNotFoundException")


# --- Tags ---------------------------------------------------------------------------------------

def test_tag_list_untag(ecr, make_repo):
    name = make_repo(tags=[{"Key": "a", "Value": "1"}])["repositoryName"]
    arn = repository_arn(name)
    resp = ecr.tag_resource(resourceArn=arn, tags=[{"Key": "b", "Value": "2"},
                                                   {"Key": "c", "Value": ""}])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert tags_of(ecr, name) == {"a": "1", "b": "2", "c": ""}
    # The same key again replaces its value; keys are case-sensitive.
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "a", "Value": "one"},
                                            {"Key": "A", "Value": "upper"}])
    assert tags_of(ecr, name) == {"a": "one", "A": "upper", "b": "2", "c": ""}
    # Untagging a key that was never set is not an error.
    ecr.untag_resource(resourceArn=arn, tagKeys=["b", "never-set"])
    assert tags_of(ecr, name) == {"a": "one", "A": "upper", "c": ""}
    listed = ecr.list_tags_for_resource(resourceArn=arn)["tags"]
    assert all(set(t) == {"Key", "Value"} for t in listed), listed


def test_tags_at_the_limits(ecr, make_repo):
    key, value = "k" * 128, "v" * 256
    name = make_repo(tags=[{"Key": f"t{i:02d}", "Value": str(i)} for i in range(49)]
                     )["repositoryName"]
    ecr.tag_resource(resourceArn=repository_arn(name), tags=[{"Key": key, "Value": value}])
    tags = tags_of(ecr, name)
    assert len(tags) == 50 and tags[key] == value


@pytest.mark.parametrize("tag", [
    {"Key": "aws:reserved", "Value": "x"},
    {"Key": "AWS:Reserved", "Value": "x"},
    {"Key": "k" * 129, "Value": "x"},
    {"Key": "long-value", "Value": "v" * 257},
], ids=["aws-prefix", "aws-prefix-upper", "key-too-long", "value-too-long"])
def test_invalid_tags(ecr, repo_name, make_repo, tag):
    name = make_repo()["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.tag_resource(resourceArn=repository_arn(name), tags=[tag])
    assert_client_error(e, "InvalidTagParameterException")
    assert tags_of(ecr, name) == {}
    other = repo_name()
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName=other, tags=[tag])
    assert_client_error(e, "InvalidTagParameterException")
    assert other not in all_repository_names(ecr)


def test_too_many_tags_on_create(ecr, repo_name):
    name = repo_name()
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName=name,
                              tags=[{"Key": f"t{i}", "Value": "v"} for i in range(51)])
    assert_client_error(e, "TooManyTagsException")
    assert name not in all_repository_names(ecr)


def test_too_many_tags_on_tag_resource(ecr, make_repo):
    name = make_repo(tags=[{"Key": f"t{i}", "Value": "v"} for i in range(49)])["repositoryName"]
    with pytest.raises(ClientError) as e:
        ecr.tag_resource(resourceArn=repository_arn(name),
                         tags=[{"Key": "new1", "Value": "v"}, {"Key": "new2", "Value": "v"}])
    assert_client_error(e, "TooManyTagsException")
    # All or nothing: neither tag was added.
    tags = tags_of(ecr, name)
    assert len(tags) == 49 and "new1" not in tags
    # Replacing existing keys keeps the count, so it is allowed at the limit.
    ecr.tag_resource(resourceArn=repository_arn(name), tags=[{"Key": "t0", "Value": "changed"}])
    assert tags_of(ecr, name)["t0"] == "changed"


@pytest.mark.parametrize("arn", [
    "not-an-arn",
    f"arn:aws:ecs:us-east-1:{ACCOUNT_ID}:cluster/default",
    f"arn:aws:ecr:us-east-1:{ACCOUNT_ID}:registry",
])
def test_tags_malformed_arn(ecr, arn):
    with pytest.raises(ClientError) as e:
        ecr.list_tags_for_resource(resourceArn=arn)
    assert_client_error(e, "InvalidParameterException")
    with pytest.raises(ClientError) as e:
        ecr.tag_resource(resourceArn=arn, tags=[{"Key": "k", "Value": "v"}])
    assert_client_error(e, "InvalidParameterException")


# --- DescribeRegistry, GetAuthorizationToken ----------------------------------------------------

def test_describe_registry(ecr):
    resp = ecr.describe_registry()
    assert resp["registryId"] == ACCOUNT_ID
    assert resp["replicationConfiguration"] == {"rules": []}


def test_get_authorization_token(ecr, make_repo):
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    resp = ecr.get_authorization_token()
    after = datetime.now(timezone.utc) + timedelta(seconds=5)
    (data,) = resp["authorizationData"]
    user, _, password = base64.b64decode(data["authorizationToken"], validate=True).decode(
        ).partition(":")
    assert user == "AWS"
    assert password and not any(c.isspace() for c in password)
    assert within(data["expiresAt"], before + AUTH_TOKEN_LIFETIME, after + AUTH_TOKEN_LIFETIME), \
        data["expiresAt"]
    # docker login goes to the proxy endpoint; images are named after the repository URI.
    endpoint = urlparse(data["proxyEndpoint"])
    assert endpoint.scheme in ("http", "https") and endpoint.path in ("", "/"), data
    repo_host = make_repo()["repositoryUri"].split("/")[0]
    assert endpoint.netloc == repo_host


def registry_login_status(proxy_endpoint: str, authorization_token: str | None) -> int:
    """What `docker login` sees: GET /v2/ at the proxy endpoint with HTTP Basic credentials
    (the token decodes to "AWS:<password>")."""
    headers = {"Authorization": f"Basic {authorization_token}"} if authorization_token else {}
    req = urllib.request.Request(proxy_endpoint.rstrip("/") + "/v2/", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code


def test_authorization_token_logs_in_to_the_registry(ecr):
    (data,) = ecr.get_authorization_token()["authorizationData"]
    assert registry_login_status(data["proxyEndpoint"], data["authorizationToken"]) == 200
    forged = base64.b64encode(b"AWS:not-a-token").decode()
    assert registry_login_status(data["proxyEndpoint"], forged) == 401
    assert registry_login_status(data["proxyEndpoint"], None) == 401


def test_get_authorization_token_for_own_registry(ecr):
    (data,) = ecr.get_authorization_token(registryIds=[ACCOUNT_ID])["authorizationData"]
    assert base64.b64decode(data["authorizationToken"]).startswith(b"AWS:")


def test_authorization_tokens_differ_by_region(ecr, ecr_west):
    east = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    west = ecr_west.get_authorization_token()["authorizationData"][0]["authorizationToken"]
    assert east != west


# --- Regions ------------------------------------------------------------------------------------

def test_region_isolation(ecr, ecr_west, repo_name, make_repo):
    name = repo_name()
    west = make_repo(name, client=ecr_west, tags=[{"Key": "where", "Value": "west"}])
    assert west["repositoryArn"] == repository_arn(name, region="us-west-2")
    assert name not in all_repository_names(ecr)
    with pytest.raises(ClientError) as e:
        ecr.describe_repositories(repositoryNames=[name])
    assert_client_error(e, "RepositoryNotFoundException")
    # The west ARN means nothing to us-east-1.
    with pytest.raises(ClientError) as e:
        ecr.list_tags_for_resource(resourceArn=west["repositoryArn"])
    assert_client_error(e, "RepositoryNotFoundException")

    # The same name is free in us-east-1, and the two live apart.
    east = make_repo(name)
    assert east["repositoryArn"] == repository_arn(name)
    assert tags_of(ecr, name) == {}
    assert tags_of(ecr_west, name, region="us-west-2") == {"where": "west"}
    ecr_west.delete_repository(repositoryName=name)
    assert describe_one(ecr, name)["repositoryArn"] == east["repositoryArn"]
    assert name not in all_repository_names(ecr_west)


# --- Persistence across a crash -----------------------------------------------------------------

@pytest.fixture(scope="module")
def restarted(model_data_path):
    """A server of this module's own: repositories and their settings made, the server killed
    with SIGKILL and started again on the same data directory. Yields the clients and what was
    described before the crash."""
    server = EcsboxServer().start_or_fail()
    try:
        ecr = make_client(server.endpoint, data_path=model_data_path, service="ecr")
        ecr_west = make_client(server.endpoint, region="us-west-2", service="ecr")
        ecr.create_repository(repositoryName="restart/plain")
        ecr.create_repository(
            repositoryName="restart/configured", imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "dev-*"}],
            imageScanningConfiguration={"scanOnPush": True},
            tags=[{"Key": "phase", "Value": "before-crash"}])
        ecr.set_repository_policy(repositoryName="restart/configured",
                                  policyText=json.dumps(PULL_POLICY))
        ecr.put_lifecycle_policy(repositoryName="restart/configured",
                                 lifecyclePolicyText=json.dumps(KEEP_LAST_RELEASES))
        ecr.create_repository(repositoryName="restart/deleted")
        ecr.delete_repository(repositoryName="restart/deleted")
        ecr_west.create_repository(repositoryName="restart/west")
        before = {
            "east": ecr.describe_repositories()["repositories"],
            "west": ecr_west.describe_repositories()["repositories"],
            "auth": ecr.get_authorization_token()["authorizationData"][0],
        }
        server.kill9()
        assert not server.alive()
        server.restart()
        yield {
            "ecr": make_client(server.endpoint, data_path=model_data_path, service="ecr"),
            "ecr_west": make_client(server.endpoint, region="us-west-2", service="ecr"),
            "before": before,
        }
    finally:
        server.cleanup()


def test_repositories_survive_a_crash(restarted):
    ecr, before = restarted["ecr"], restarted["before"]
    after = ecr.describe_repositories()["repositories"]
    assert sorted(r["repositoryName"] for r in after) == ["restart/configured", "restart/plain"]
    by_name = lambda repos: sorted(repos, key=lambda r: r["repositoryName"])  # noqa: E731
    assert deep_diff(by_name(before["east"]), by_name(after)) == []
    assert deep_diff(before["west"], restarted["ecr_west"].describe_repositories()[
        "repositories"]) == []


def test_repository_settings_survive_a_crash(restarted):
    ecr, name = restarted["ecr"], "restart/configured"
    assert tags_of(ecr, name) == {"phase": "before-crash"}
    assert json.loads(ecr.get_repository_policy(repositoryName=name)["policyText"]) == PULL_POLICY
    assert json.loads(ecr.get_lifecycle_policy(repositoryName=name)[
        "lifecyclePolicyText"]) == KEEP_LAST_RELEASES
    with pytest.raises(ClientError) as e:
        ecr.get_repository_policy(repositoryName="restart/plain")
    assert_client_error(e, "RepositoryPolicyNotFoundException")


def test_names_after_a_crash(restarted):
    ecr = restarted["ecr"]
    with pytest.raises(ClientError) as e:
        ecr.create_repository(repositoryName="restart/plain")
    assert_client_error(e, "RepositoryAlreadyExistsException")
    # The deleted repository's name is free again.
    assert ecr.create_repository(repositoryName="restart/deleted")["repository"][
        "repositoryArn"] == repository_arn("restart/deleted")
    (data,) = ecr.get_authorization_token()["authorizationData"]
    assert base64.b64decode(data["authorizationToken"]).startswith(b"AWS:")


def test_authorization_token_outlives_a_crash(restarted):
    """A token is good for 12 hours, restarts or not."""
    auth = restarted["before"]["auth"]
    assert registry_login_status(auth["proxyEndpoint"], auth["authorizationToken"]) == 200

"""Tags through boto3: TagResource, UntagResource, ListTagsForResource on clusters and task
definitions, and the tagging constraints."""
import pytest
from botocore.exceptions import ClientError

from helpers import assert_client_error, cluster_arn, task_definition_arn


def tags_of(ecs, arn):
    return ecs.list_tags_for_resource(resourceArn=arn)["tags"]


def as_dict(tags):
    return {t["key"]: t["value"] for t in tags}


def test_create_cluster_tags_are_listed(ecs, unique_name):
    tags = [{"key": "Environment", "value": "dev"}, {"key": "Project", "value": "p1"}]
    ecs.create_cluster(clusterName=unique_name, tags=tags)
    assert as_dict(tags_of(ecs, cluster_arn(unique_name))) == as_dict(tags)


def test_tag_list_untag_cluster(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    assert tags_of(ecs, arn) == []
    resp = ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"},
                                                   {"key": "b", "value": "2"}])
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert as_dict(tags_of(ecs, arn)) == {"a": "1", "b": "2"}
    # Same key again: the value is replaced, not duplicated.
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "one"},
                                            {"key": "c", "value": ""}])
    listed = tags_of(ecs, arn)
    assert len(listed) == 3
    assert as_dict(listed) == {"a": "one", "b": "2", "c": ""}
    # Untagging an absent key is not an error.
    ecs.untag_resource(resourceArn=arn, tagKeys=["b", "never-set"])
    assert as_dict(tags_of(ecs, arn)) == {"a": "one", "c": ""}
    # DescribeClusters include TAGS sees the same.
    (c,) = ecs.describe_clusters(clusters=[arn], include=["TAGS"])["clusters"]
    assert as_dict(c["tags"]) == {"a": "one", "c": ""}


def test_tags_are_case_sensitive(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "Key", "value": "A"},
                                            {"key": "key", "value": "a"}])
    assert as_dict(tags_of(ecs, arn)) == {"Key": "A", "key": "a"}


def test_tag_task_definition(ecs, unique_name):
    ecs.register_task_definition(
        family=unique_name, tags=[{"key": "initial", "value": "yes"}],
        containerDefinitions=[{"name": "c", "image": "busybox", "memory": 32}])
    arn = task_definition_arn(unique_name, 1)
    assert as_dict(tags_of(ecs, arn)) == {"initial": "yes"}
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "added", "value": "later"}])
    assert as_dict(tags_of(ecs, arn)) == {"initial": "yes", "added": "later"}
    ecs.untag_resource(resourceArn=arn, tagKeys=["initial"])
    assert as_dict(tags_of(ecs, arn)) == {"added": "later"}
    d = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    assert as_dict(d["tags"]) == {"added": "later"}


def test_tags_belong_to_one_revision(ecs, unique_name):
    for _ in range(2):
        ecs.register_task_definition(
            family=unique_name, containerDefinitions=[{"name": "c", "image": "busybox", "memory": 32}])
    ecs.tag_resource(resourceArn=task_definition_arn(unique_name, 1),
                     tags=[{"key": "rev", "value": "1"}])
    assert tags_of(ecs, task_definition_arn(unique_name, 2)) == []


def test_tag_missing_cluster(ecs, new_name):
    arn = cluster_arn(new_name("nocluster"))
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}])
    assert_client_error(e, "ClusterNotFoundException")
    with pytest.raises(ClientError) as e:
        ecs.list_tags_for_resource(resourceArn=arn)
    assert_client_error(e, "ClusterNotFoundException")
    with pytest.raises(ClientError) as e:
        ecs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert_client_error(e, "ClusterNotFoundException")


@pytest.mark.parametrize("arn", ["not-an-arn", "arn:aws:s3:::bucket-not-ecs"])
def test_tag_invalid_arn(ecs, arn):
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}])
    assert_client_error(e, "InvalidParameterException")


@pytest.mark.parametrize("tag", [{"key": "aws:reserved", "value": "x"},
                                 {"key": "AWS:Reserved", "value": "x"}])
def test_tag_reserved_prefix(ecs, unique_name, tag):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[tag])
    assert_client_error(e, "InvalidParameterException")


def test_tag_key_too_long_is_validation_error(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "k" * 129, "value": "v"}])
    assert_client_error(e, "InvalidParameterException", message_contains="1 validation error detected")
    assert "128" in e.value.response["Error"]["Message"]


def test_tag_value_too_long_is_validation_error(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v" * 257}])
    assert_client_error(e, "InvalidParameterException", message_contains="1 validation error detected")
    assert "256" in e.value.response["Error"]["Message"]


def test_more_than_fifty_tags(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    assert_client_error(e, "InvalidParameterException", message_contains="validation error")


def test_fifty_tags_allowed_then_limit(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    assert len(tags_of(ecs, arn)) == 50
    # A 51st tag on the resource exceeds the per-resource limit.
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "one-more", "value": "v"}])
    assert e.value.response["Error"]["Code"] in ("InvalidParameterException", "LimitExceededException")
    assert len(tags_of(ecs, arn)) == 50


def test_tags_are_per_region(ecs, ecs_eu, unique_name):
    arn_eu = ecs_eu.create_cluster(clusterName=unique_name,
                                   tags=[{"key": "where", "value": "eu"}])["cluster"]["clusterArn"]
    ecs.create_cluster(clusterName=unique_name, tags=[{"key": "where", "value": "us"}])
    assert as_dict(tags_of(ecs_eu, arn_eu)) == {"where": "eu"}
    assert as_dict(tags_of(ecs, cluster_arn(unique_name))) == {"where": "us"}


def test_unicode_and_symbol_tags_round_trip(ecs, unique_name):
    tags = [{"key": "ключ", "value": "значение"},
            {"key": "名前", "value": "値 with spaces"},
            {"key": "sym+-=._:/@", "value": "+-=._:/@ 9"}]
    arn = ecs.create_cluster(clusterName=unique_name, tags=tags)["cluster"]["clusterArn"]
    assert as_dict(tags_of(ecs, arn)) == as_dict(tags)


def test_tag_value_pattern_violation(ecs, unique_name):
    arn = ecs.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"]
    with pytest.raises(ClientError) as e:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "not*allowed"}])
    assert_client_error(e, "InvalidParameterException", message_contains="1 validation error detected")

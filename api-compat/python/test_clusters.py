"""Clusters through boto3: CreateCluster, DescribeClusters, ListClusters, UpdateCluster,
UpdateClusterSettings, PutClusterCapacityProviders, DeleteCluster."""
import pytest
from botocore.exceptions import ClientError

from helpers import ACCOUNT_ID, assert_client_error, cluster_arn


def all_cluster_arns(ecs):
    arns, token = [], None
    while True:
        kwargs = {"nextToken": token} if token else {}
        page = ecs.list_clusters(maxResults=100, **kwargs)
        arns.extend(page["clusterArns"])
        token = page.get("nextToken")
        if not token:
            return arns


def settings_dict(cluster):
    return {s["name"]: s["value"] for s in cluster.get("settings", [])}


def test_create_cluster_returns_active_cluster(ecs, unique_name):
    resp = ecs.create_cluster(clusterName=unique_name)
    c = resp["cluster"]
    assert c["clusterName"] == unique_name
    assert c["clusterArn"] == cluster_arn(unique_name)
    assert c["status"] == "ACTIVE"
    assert c["registeredContainerInstancesCount"] == 0
    assert c["runningTasksCount"] == 0
    assert c["pendingTasksCount"] == 0
    assert c["activeServicesCount"] == 0
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-requestid")


def test_create_cluster_is_idempotent(ecs, unique_name):
    first = ecs.create_cluster(clusterName=unique_name)["cluster"]
    second = ecs.create_cluster(clusterName=unique_name)["cluster"]
    assert second["clusterArn"] == first["clusterArn"]
    assert second["status"] == "ACTIVE"
    assert all_cluster_arns(ecs).count(first["clusterArn"]) == 1


def test_create_cluster_without_name_creates_default(ecs):
    c = ecs.create_cluster()["cluster"]
    assert c["clusterName"] == "default"
    assert c["clusterArn"] == cluster_arn("default")
    # DescribeClusters without clusters describes the default cluster.
    d = ecs.describe_clusters()
    assert [x["clusterArn"] for x in d["clusters"]] == [cluster_arn("default")]
    assert d["failures"] == []


@pytest.mark.parametrize("bad", ["has space", "slash/inside", "x" * 256, "semi;colon"])
def test_create_cluster_rejects_invalid_names(ecs, bad):
    with pytest.raises(ClientError) as e:
        ecs.create_cluster(clusterName=bad)
    assert_client_error(e, "InvalidParameterException")


def test_create_cluster_with_tags_settings_configuration(ecs, unique_name):
    tags = [{"key": "env", "value": "test"}, {"key": "team", "value": "platform"}]
    configuration = {"executeCommandConfiguration": {"logging": "DEFAULT"}}
    c = ecs.create_cluster(
        clusterName=unique_name,
        tags=tags,
        settings=[{"name": "containerInsights", "value": "enabled"}],
        configuration=configuration,
    )["cluster"]
    assert c["tags"] == tags
    assert settings_dict(c) == {"containerInsights": "enabled"}
    assert c["configuration"] == configuration

    d = ecs.describe_clusters(clusters=[unique_name],
                              include=["TAGS", "SETTINGS", "CONFIGURATIONS", "STATISTICS"])
    assert d["failures"] == []
    (dc,) = d["clusters"]
    assert dc["tags"] == tags
    assert settings_dict(dc) == {"containerInsights": "enabled"}
    assert dc["configuration"] == configuration
    stats = {s["name"]: s["value"] for s in dc["statistics"]}
    for key in ("runningEC2TasksCount", "runningFargateTasksCount", "pendingEC2TasksCount",
                "pendingFargateTasksCount", "activeEC2ServiceCount", "activeFargateServiceCount",
                "drainingEC2ServiceCount", "drainingFargateServiceCount"):
        assert stats.get(key) == "0", (key, dc["statistics"])


def test_describe_clusters_without_include_omits_tags(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name, tags=[{"key": "k", "value": "v"}])
    (c,) = ecs.describe_clusters(clusters=[unique_name])["clusters"]
    assert c.get("tags", []) == []


def test_describe_clusters_by_name_and_arn_with_missing(ecs, new_name):
    a, b, missing = new_name("a"), new_name("b"), new_name("missing")
    ecs.create_cluster(clusterName=a)
    ecs.create_cluster(clusterName=b)
    d = ecs.describe_clusters(clusters=[a, cluster_arn(b), missing])
    assert [c["clusterArn"] for c in d["clusters"]] == [cluster_arn(a), cluster_arn(b)]
    assert d["failures"] == [{"arn": cluster_arn(missing), "reason": "MISSING"}]


def test_describe_clusters_missing_arn_reported_as_given(ecs, new_name):
    missing = new_name("gone")
    d = ecs.describe_clusters(clusters=[cluster_arn(missing)])
    assert d["clusters"] == []
    assert d["failures"] == [{"arn": cluster_arn(missing), "reason": "MISSING"}]


def test_list_clusters_contains_created(ecs, new_name):
    names = [new_name("lc") for _ in range(3)]
    for n in names:
        ecs.create_cluster(clusterName=n)
    arns = all_cluster_arns(ecs)
    for n in names:
        assert arns.count(cluster_arn(n)) == 1
    assert len(arns) == len(set(arns))


def test_list_clusters_max_results_pages(ecs, new_name):
    for _ in range(3):
        ecs.create_cluster(clusterName=new_name("pg"))
    page = ecs.list_clusters(maxResults=1)
    assert len(page["clusterArns"]) == 1
    assert page.get("nextToken")
    page2 = ecs.list_clusters(maxResults=1, nextToken=page["nextToken"])
    assert len(page2["clusterArns"]) == 1
    assert page2["clusterArns"] != page["clusterArns"]


def test_list_clusters_invalid_next_token(ecs):
    with pytest.raises(ClientError) as e:
        ecs.list_clusters(nextToken="not-a-token")
    assert_client_error(e, "InvalidParameterException")


def test_list_clusters_max_results_out_of_range(ecs):
    with pytest.raises(ClientError) as e:
        ecs.list_clusters(maxResults=101)
    assert_client_error(e, "InvalidParameterException")


def test_delete_cluster_returns_inactive(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    c = ecs.delete_cluster(cluster=unique_name)["cluster"]
    assert c["status"] == "INACTIVE"
    assert c["clusterArn"] == cluster_arn(unique_name)
    assert cluster_arn(unique_name) not in all_cluster_arns(ecs)
    # An INACTIVE cluster can still be described for a while, as in ECS.
    d = ecs.describe_clusters(clusters=[unique_name])
    assert [x["status"] for x in d["clusters"]] == ["INACTIVE"]
    assert d["failures"] == []


def test_delete_cluster_by_arn(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    c = ecs.delete_cluster(cluster=cluster_arn(unique_name))["cluster"]
    assert c["status"] == "INACTIVE"


def test_recreate_deleted_cluster_is_active_again(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    ecs.delete_cluster(cluster=unique_name)
    c = ecs.create_cluster(clusterName=unique_name)["cluster"]
    assert c["status"] == "ACTIVE"
    assert cluster_arn(unique_name) in all_cluster_arns(ecs)


def test_delete_unknown_cluster(ecs, new_name):
    with pytest.raises(ClientError) as e:
        ecs.delete_cluster(cluster=new_name("nope"))
    assert_client_error(e, "ClusterNotFoundException")


def test_update_cluster_settings(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    c = ecs.update_cluster_settings(
        cluster=unique_name, settings=[{"name": "containerInsights", "value": "enabled"}])["cluster"]
    assert c["clusterArn"] == cluster_arn(unique_name)
    assert settings_dict(c)["containerInsights"] == "enabled"
    (d,) = ecs.describe_clusters(clusters=[unique_name], include=["SETTINGS"])["clusters"]
    assert settings_dict(d)["containerInsights"] == "enabled"


def test_update_cluster_settings_invalid_value(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    with pytest.raises(ClientError) as e:
        ecs.update_cluster_settings(
            cluster=unique_name, settings=[{"name": "containerInsights", "value": "sometimes"}])
    assert_client_error(e, "InvalidParameterException")


def test_update_cluster_settings_unknown_cluster(ecs, new_name):
    with pytest.raises(ClientError) as e:
        ecs.update_cluster_settings(
            cluster=new_name("nope"), settings=[{"name": "containerInsights", "value": "enabled"}])
    assert_client_error(e, "ClusterNotFoundException")


def test_update_cluster_configuration(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    configuration = {
        "executeCommandConfiguration": {
            "kmsKeyId": f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "logging": "OVERRIDE",
            "logConfiguration": {
                "cloudWatchLogGroupName": "/ecs/exec",
                "cloudWatchEncryptionEnabled": True,
            },
        }
    }
    c = ecs.update_cluster(cluster=unique_name, configuration=configuration)["cluster"]
    assert c["configuration"] == configuration
    (d,) = ecs.describe_clusters(clusters=[unique_name], include=["CONFIGURATIONS"])["clusters"]
    assert d["configuration"] == configuration


def test_update_unknown_cluster(ecs, new_name):
    with pytest.raises(ClientError) as e:
        ecs.update_cluster(cluster=new_name("nope"),
                           settings=[{"name": "containerInsights", "value": "enabled"}])
    assert_client_error(e, "ClusterNotFoundException")


def test_put_cluster_capacity_providers(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    c = ecs.put_cluster_capacity_providers(
        cluster=unique_name,
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[
            {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
            {"capacityProvider": "FARGATE_SPOT", "weight": 4},
        ],
    )["cluster"]
    assert c["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert c["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0},
    ]
    (d,) = ecs.describe_clusters(clusters=[unique_name])["clusters"]
    assert d["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert d["defaultCapacityProviderStrategy"] == c["defaultCapacityProviderStrategy"]

    # Removing every provider, as in the CLI's documented example.
    c = ecs.put_cluster_capacity_providers(
        cluster=unique_name, capacityProviders=[], defaultCapacityProviderStrategy=[])["cluster"]
    assert c["capacityProviders"] == []
    assert c["defaultCapacityProviderStrategy"] == []


def test_create_cluster_with_capacity_providers(ecs, unique_name):
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}]
    c = ecs.create_cluster(clusterName=unique_name, capacityProviders=["FARGATE_SPOT"],
                           defaultCapacityProviderStrategy=strategy)["cluster"]
    assert c["capacityProviders"] == ["FARGATE_SPOT"]
    assert c["defaultCapacityProviderStrategy"] == strategy


def test_put_cluster_capacity_providers_unknown_provider(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    with pytest.raises(ClientError) as e:
        ecs.put_cluster_capacity_providers(
            cluster=unique_name, capacityProviders=["NO_SUCH_PROVIDER"],
            defaultCapacityProviderStrategy=[])
    assert_client_error(e, "InvalidParameterException")


def test_put_cluster_capacity_providers_strategy_not_in_list(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    with pytest.raises(ClientError) as e:
        ecs.put_cluster_capacity_providers(
            cluster=unique_name, capacityProviders=["FARGATE"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    assert_client_error(e, "InvalidParameterException")


def test_put_cluster_capacity_providers_weight_constraint(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    with pytest.raises(ClientError) as e:
        ecs.put_cluster_capacity_providers(
            cluster=unique_name, capacityProviders=["FARGATE"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1001}])
    assert_client_error(e, "InvalidParameterException",
                        message_contains="1 validation error detected")
    assert "1000" in e.value.response["Error"]["Message"]


def test_put_cluster_capacity_providers_unknown_cluster(ecs, new_name):
    with pytest.raises(ClientError) as e:
        ecs.put_cluster_capacity_providers(
            cluster=new_name("nope"), capacityProviders=["FARGATE"],
            defaultCapacityProviderStrategy=[])
    assert_client_error(e, "ClusterNotFoundException")


def test_regions_are_separate(ecs, ecs_eu, unique_name):
    eu = ecs_eu.create_cluster(clusterName=unique_name)["cluster"]
    assert eu["clusterArn"] == cluster_arn(unique_name, region="eu-west-1")
    assert cluster_arn(unique_name, region="eu-west-1") in all_cluster_arns(ecs_eu)
    assert not any(a.endswith(f":cluster/{unique_name}") for a in all_cluster_arns(ecs))
    d = ecs.describe_clusters(clusters=[unique_name])
    assert d["clusters"] == []
    assert d["failures"] == [{"arn": cluster_arn(unique_name), "reason": "MISSING"}]
    # Every cluster listed in eu-west-1 has an eu-west-1 ARN.
    assert all(a.startswith("arn:aws:ecs:eu-west-1:") for a in all_cluster_arns(ecs_eu))


def test_unsupported_operation_names_itself(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    with pytest.raises(ClientError) as e:
        ecs.create_task_set(cluster=unique_name, service="svc", taskDefinition="x:1")
    assert_client_error(e, "UnsupportedFeatureException", message_contains="CreateTaskSet")


def test_concurrent_create_same_cluster(ecsbox, unique_name):
    """Creating one name from 8 clients at once yields one cluster, the same ARN for all."""
    from concurrent.futures import ThreadPoolExecutor

    from helpers import make_client

    clients = [make_client(ecsbox.endpoint) for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        arns = list(pool.map(
            lambda c: c.create_cluster(clusterName=unique_name)["cluster"]["clusterArn"], clients))
    assert arns == [cluster_arn(unique_name)] * 8
    assert all_cluster_arns(clients[0]).count(cluster_arn(unique_name)) == 1


def test_cluster_name_of_255_characters(ecs):
    import uuid
    name = (uuid.uuid4().hex + "-_" + "a" * 255)[:255]
    c = ecs.create_cluster(clusterName=name)["cluster"]
    assert c["clusterName"] == name
    assert c["clusterArn"] == cluster_arn(name)

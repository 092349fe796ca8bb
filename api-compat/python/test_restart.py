"""State survives a crash: build state, kill -9 the server, start a new one on the same data
directory, and find everything as it was, with task definition revisions continuing at the next
number. This module runs its own server (the session's one is never killed)."""
import pytest

from ecsbox_server import EcsboxServer
from ecsbox_server import TARGET_PREFIX
from helpers import (FIXTURE_FILES, cluster_arn, deep_diff, fixture_checks, load_fixture,
                     make_client, raw_call, task_definition_arn)

CLUSTER = "restart-cluster"
GONE = "restart-deleted"
FAMILY = "restart-family"
ROLE = "arn:aws:iam::000000000000:role/restart-role"
CLUSTER_TAGS = [{"key": "phase", "value": "before-crash"}, {"key": "owner", "value": "api-compat"}]
CONFIGURATION = {"executeCommandConfiguration": {"logging": "DEFAULT"}}


@pytest.fixture(scope="module")
def world(model_data_path):
    """Builds the state once, crashes the server, restarts it; yields what was recorded."""
    server = EcsboxServer().start_or_fail()
    try:
        ecs = make_client(server.endpoint, data_path=model_data_path)
        ecs_eu = make_client(server.endpoint, region="eu-west-1")
        before = {}
        c = ecs.create_cluster(clusterName=CLUSTER, tags=CLUSTER_TAGS,
                               configuration=CONFIGURATION,
                               settings=[{"name": "containerInsights", "value": "enabled"}])
        ecs.put_cluster_capacity_providers(
            cluster=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 0}])
        before["cluster"] = ecs.describe_clusters(
            clusters=[CLUSTER], include=["TAGS", "SETTINGS", "CONFIGURATIONS"])["clusters"][0]
        assert c["cluster"]["clusterArn"] == cluster_arn(CLUSTER)
        ecs.create_cluster(clusterName=GONE)
        ecs.delete_cluster(cluster=GONE)
        ecs_eu.create_cluster(clusterName="restart-eu")

        for i in range(1, 4):
            ecs.register_task_definition(
                family=FAMILY, tags=[{"key": "rev", "value": str(i)}],
                containerDefinitions=[{"name": "c", "image": "busybox", "memory": 32,
                                       "command": ["echo", str(i)]}])
        ecs.deregister_task_definition(taskDefinition=f"{FAMILY}:2")
        ecs.deregister_task_definition(taskDefinition=f"{FAMILY}:1")
        ecs.delete_task_definitions(taskDefinitions=[f"{FAMILY}:1"])
        before["revisions"] = {
            r: ecs.describe_task_definition(taskDefinition=f"{FAMILY}:{r}",
                                            include=["TAGS"])
            for r in (1, 2, 3)
        }

        before["fixtures"] = {}
        for name in FIXTURE_FILES:
            body = load_fixture(name)
            body["family"] = "restart-" + name.removesuffix(".json")
            resp = ecs.register_task_definition(**body)
            before["fixtures"][name] = (body, resp)

        # The same through raw HTTP, to compare JSON exactly (timestamps as the numbers sent).
        raw_body = load_fixture("web-app.json")
        raw_body["family"] = "restart-raw"
        status, _, raw_registered = raw_call(server.endpoint, raw_body,
                                             target=f"{TARGET_PREFIX}.RegisterTaskDefinition")
        assert status == 200, raw_registered
        before["raw"] = raw_registered

        ecs.put_account_setting(name="serviceLongArnFormat", value="disabled", principalArn=ROLE)
        ecs.put_account_setting_default(name="awsvpcTrunking", value="enabled")

        server.kill9()
        assert not server.alive()
        server.restart()
        yield {
            "server": server,
            "ecs": make_client(server.endpoint, data_path=model_data_path),
            "ecs_eu": make_client(server.endpoint, region="eu-west-1"),
            "before": before,
        }
    finally:
        server.cleanup()


def test_clusters_survive(world):
    ecs = world["ecs"]
    arns = ecs.list_clusters()["clusterArns"]
    assert cluster_arn(CLUSTER) in arns
    assert cluster_arn(GONE) not in arns
    (c,) = ecs.describe_clusters(clusters=[CLUSTER],
                                 include=["TAGS", "SETTINGS", "CONFIGURATIONS"])["clusters"]
    assert deep_diff(world["before"]["cluster"], c) == []
    assert c["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    (gone,) = ecs.describe_clusters(clusters=[GONE])["clusters"]
    assert gone["status"] == "INACTIVE"


def test_other_region_survives(world):
    assert world["ecs_eu"].list_clusters()["clusterArns"] == [
        cluster_arn("restart-eu", region="eu-west-1")]


def test_task_definitions_survive(world):
    ecs = world["ecs"]
    for r in (2, 3):
        after = ecs.describe_task_definition(taskDefinition=f"{FAMILY}:{r}", include=["TAGS"])
        before = world["before"]["revisions"][r]
        assert deep_diff(before["taskDefinition"], after["taskDefinition"]) == []
        assert after["tags"] == before["tags"] == [{"key": "rev", "value": str(r)}]
    assert ecs.describe_task_definition(taskDefinition=f"{FAMILY}:1")["taskDefinition"][
        "status"] == "DELETE_IN_PROGRESS"
    assert ecs.list_task_definitions(familyPrefix=FAMILY)["taskDefinitionArns"] == [
        task_definition_arn(FAMILY, 3)]
    assert ecs.list_task_definitions(familyPrefix=FAMILY, status="INACTIVE")[
        "taskDefinitionArns"] == [task_definition_arn(FAMILY, 2)]


def test_revisions_continue_after_restart(world):
    ecs = world["ecs"]
    td = ecs.register_task_definition(
        family=FAMILY, containerDefinitions=[{"name": "c", "image": "busybox", "memory": 32}])[
        "taskDefinition"]
    assert td["revision"] == 4
    assert td["taskDefinitionArn"] == task_definition_arn(FAMILY, 4)


@pytest.mark.parametrize("fixture", FIXTURE_FILES)
def test_fixtures_identical_after_restart(world, fixture):
    ecs = world["ecs"]
    body, registered = world["before"]["fixtures"][fixture]
    assert fixture_checks(body, registered) == []
    after = ecs.describe_task_definition(taskDefinition=body["family"], include=["TAGS"])
    assert deep_diff(registered["taskDefinition"], after["taskDefinition"]) == []
    assert after.get("tags", []) == registered.get("tags", [])


def test_raw_json_identical_after_restart(world):
    status, _, described = raw_call(world["server"].endpoint,
                                    {"taskDefinition": "restart-raw:1", "include": ["TAGS"]},
                                    target=f"{TARGET_PREFIX}.DescribeTaskDefinition")
    assert status == 200, described
    registered = world["before"]["raw"]
    assert deep_diff(registered["taskDefinition"], described["taskDefinition"]) == []
    assert described["tags"] == registered["tags"]


def test_tags_survive(world):
    ecs = world["ecs"]
    tags = ecs.list_tags_for_resource(resourceArn=cluster_arn(CLUSTER))["tags"]
    assert sorted(tags, key=lambda t: t["key"]) == sorted(CLUSTER_TAGS, key=lambda t: t["key"])


def test_account_settings_survive(world):
    ecs = world["ecs"]
    mine = ecs.list_account_settings(principalArn=ROLE)["settings"]
    assert [(s["name"], s["value"]) for s in mine] == [("serviceLongArnFormat", "disabled")]
    eff = ecs.list_account_settings(name="awsvpcTrunking", effectiveSettings=True)["settings"]
    assert [s["value"] for s in eff] == ["enabled"]


def test_second_crash_and_restart(world):
    """Writes made after the first restart survive a second crash too."""
    server, ecs = world["server"], world["ecs"]
    ecs.create_cluster(clusterName="restart-second")
    server.kill9()
    server.restart()
    assert cluster_arn("restart-second") in ecs.list_clusters()["clusterArns"]
    assert ecs.describe_task_definition(taskDefinition=FAMILY)["taskDefinition"]["revision"] >= 4

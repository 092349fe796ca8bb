"""Tasks through boto3 on the session's `--runtime none` server: the whole ECS lifecycle with no
container behind it, for machines without Docker."""
import pytest
from botocore.exceptions import ClientError

from helpers import assert_client_error

WAIT = {"Delay": 1, "MaxAttempts": 30}


def register(ecs, family):
    return ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "app", "image": "anything:1", "memory": 64}],
    )["taskDefinition"]["taskDefinitionArn"]


def test_task_runs_and_stops_without_docker(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    register(ecs, unique_name)
    (task,) = ecs.run_task(cluster=unique_name, taskDefinition=unique_name, startedBy="none-test")["tasks"]
    arn = task["taskArn"]
    assert task["lastStatus"] == "PROVISIONING"
    ecs.get_waiter("tasks_running").wait(cluster=unique_name, tasks=[arn], WaiterConfig=WAIT)
    running = ecs.describe_tasks(cluster=unique_name, tasks=[arn])["tasks"][0]
    assert running["containers"][0]["lastStatus"] == "RUNNING"
    assert ecs.list_tasks(cluster=unique_name, startedBy="none-test")["taskArns"] == [arn]

    (instance,) = ecs.describe_container_instances(
        cluster=unique_name, containerInstances=[running["containerInstanceArn"]])["containerInstances"]
    assert instance["versionInfo"]["dockerVersion"] == "none (--runtime none)"
    assert {"name": "ecsbox.runtime", "value": "none"} in instance["attributes"]
    assert instance["runningTasksCount"] == 1

    ecs.stop_task(cluster=unique_name, task=arn, reason="test over")
    ecs.get_waiter("tasks_stopped").wait(cluster=unique_name, tasks=[arn], WaiterConfig=WAIT)
    stopped = ecs.describe_tasks(cluster=unique_name, tasks=[arn])["tasks"][0]
    assert stopped["stopCode"] == "UserInitiated"
    assert stopped["stoppedReason"] == "test over"
    assert stopped["containers"][0]["exitCode"] == 0
    assert ecs.list_tasks(cluster=unique_name)["taskArns"] == []


def test_cluster_with_running_task_cannot_be_deleted(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    register(ecs, unique_name)
    (task,) = ecs.run_task(cluster=unique_name, taskDefinition=unique_name)["tasks"]
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_cluster(cluster=unique_name)
    assert_client_error(excinfo, "ClusterContainsTasksException")
    ecs.stop_task(cluster=unique_name, task=task["taskArn"])
    ecs.get_waiter("tasks_stopped").wait(cluster=unique_name, tasks=[task["taskArn"]], WaiterConfig=WAIT)
    assert ecs.delete_cluster(cluster=unique_name)["cluster"]["status"] == "INACTIVE"


def stop_all(ecs, cluster, arns):
    for arn in arns:
        ecs.stop_task(cluster=cluster, task=arn)
    if arns:
        ecs.get_waiter("tasks_stopped").wait(cluster=cluster, tasks=arns, WaiterConfig=WAIT)


def test_placement_constraints_decide_where_tasks_go(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    register(ecs, unique_name)
    first = ecs.run_task(cluster=unique_name, taskDefinition=unique_name)["tasks"][0]["taskArn"]
    (instance,) = ecs.list_container_instances(cluster=unique_name)["containerInstanceArns"]
    ecs.put_attributes(cluster=unique_name, attributes=[{"name": "stack", "value": "prod", "targetId": instance}])

    placed = ecs.run_task(cluster=unique_name, taskDefinition=unique_name, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:stack == prod and agentConnected == true"}],
        placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert len(placed["tasks"]) == 1 and placed["failures"] == [], placed["failures"]

    refused = ecs.run_task(cluster=unique_name, taskDefinition=unique_name, count=2, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:stack in [dev, test]"}])
    assert refused["tasks"] == []
    assert refused["failures"] == [{"arn": instance, "reason": "MemberOf"}] * 2

    # The family's group already has tasks on the one instance.
    distinct = ecs.run_task(cluster=unique_name, taskDefinition=unique_name,
                            placementConstraints=[{"type": "distinctInstance"}])
    assert distinct["tasks"] == [] and distinct["failures"][0]["reason"] == "DistinctInstance"

    with pytest.raises(ClientError) as excinfo:
        ecs.run_task(cluster=unique_name, taskDefinition=unique_name,
                     placementConstraints=[{"type": "memberOf", "expression": "color == red"}])
    assert_client_error(excinfo, "InvalidParameterException", message_contains="not a subject")
    stop_all(ecs, unique_name, [first, placed["tasks"][0]["taskArn"]])


def test_container_instances_filter_with_the_cluster_query_language(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    register(ecs, unique_name)
    task = ecs.run_task(cluster=unique_name, taskDefinition=unique_name)["tasks"][0]["taskArn"]
    (instance,) = ecs.list_container_instances(cluster=unique_name)["containerInstanceArns"]
    assert ecs.list_container_instances(
        cluster=unique_name, filter=f"task:group == family:{unique_name}")["containerInstanceArns"] == [instance]
    assert ecs.list_container_instances(
        cluster=unique_name, filter="attribute:ecs.os-type == windows")["containerInstanceArns"] == []
    with pytest.raises(ClientError) as excinfo:
        ecs.list_container_instances(cluster=unique_name, filter="attribute:x ==")
    assert_client_error(excinfo, "InvalidParameterException")
    stop_all(ecs, unique_name, [task])


def test_run_task_client_token_makes_retries_safe(ecs_current, unique_name):
    # Debian's botocore predates clientToken: the client loads the model ecsbox serves.
    ecs = ecs_current
    ecs.create_cluster(clusterName=unique_name)
    register(ecs, unique_name)
    request = {"cluster": unique_name, "taskDefinition": unique_name, "count": 2, "clientToken": unique_name}
    first = ecs.run_task(**request)
    again = ecs.run_task(**request)
    assert [t["taskArn"] for t in again["tasks"]] == [t["taskArn"] for t in first["tasks"]]
    assert len(ecs.list_tasks(cluster=unique_name)["taskArns"]) == 2
    with pytest.raises(ClientError) as excinfo:
        ecs.run_task(**{**request, "count": 1})
    assert_client_error(excinfo, "InvalidParameterException", message_contains=unique_name)
    stop_all(ecs, unique_name, [t["taskArn"] for t in first["tasks"]])

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

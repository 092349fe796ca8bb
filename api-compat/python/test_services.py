"""ECS services through boto3 on the session's `--runtime none` server: the scheduler keeps
desiredCount tasks, rolling deployments replace them, the waiters `services_stable` and
`services_inactive` see what AWS's do. Debian's botocore 1.29 predates the service deployment and
revision operations (and DescribeServices' currentServiceDeployment/currentServiceRevisions):
those tests use `ecs_current`, the model ecsbox serves.

Not here: the deployment circuit breaker tripping. It needs tasks that fail to start, and with
`--runtime none` every task starts; the breaker's configuration and its DISABLED/MONITORING_COMPLETE
reporting are checked below."""
import re
import time

import pytest
from botocore.exceptions import ClientError, WaiterError

from helpers import ACCOUNT_ID, REGION, assert_client_error, cluster_arn, task_definition_arn

WAIT = {"Delay": 1, "MaxAttempts": 30}
DEPLOYMENT_ID = re.compile(r"^ecs-svc/\d+$")


def service_arn(cluster: str, name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service/{cluster}/{name}"


def register(ecs, family, image="anything:1"):
    return ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "app", "image": image, "memory": 64}],
    )["taskDefinition"]["taskDefinitionArn"]


def register_fargate(ecs, family):
    return ecs.register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256",
        memory="512", containerDefinitions=[{"name": "app", "image": "anything:1"}],
    )["taskDefinition"]["taskDefinitionArn"]


FARGATE_NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-0123456789abcdef0"]}}


def cluster_and_family(ecs, name):
    """A cluster and a task definition family, both called `name`; returns the revision 1 ARN."""
    ecs.create_cluster(clusterName=name)
    return register(ecs, name)


def describe(ecs, cluster, service):
    out = ecs.describe_services(cluster=cluster, services=[service])
    assert out["failures"] == [], out["failures"]
    (svc,) = out["services"]
    return svc


def wait_stable(ecs, cluster, *services):
    ecs.get_waiter("services_stable").wait(cluster=cluster, services=list(services), WaiterConfig=WAIT)


def wait_inactive(ecs, cluster, *services):
    ecs.get_waiter("services_inactive").wait(cluster=cluster, services=list(services),
                                             WaiterConfig=WAIT)


def service_tasks(ecs, cluster, service, **kwargs):
    arns = ecs.list_tasks(cluster=cluster, serviceName=service, **kwargs)["taskArns"]
    if not arns:
        return []
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]


def task_id(arn):
    return arn.rsplit("/", 1)[1]


def poll(what, check, timeout=20.0):
    """Calls check() until it returns something truthy; fails naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def describe_completed(ecs, cluster, service):
    """The service once its only deployment is COMPLETED. The waiter reads runningCount; the
    scheduler marks the deployment COMPLETED (and writes the steady-state event) on its next
    look, a moment later, as ECS does."""
    def completed():
        svc = describe(ecs, cluster, service)
        return svc if [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"] else None
    return poll(f"the deployment of {service} to complete", completed)


def test_service_reaches_a_steady_state(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    created = ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                                 desiredCount=3, tags=[{"key": "team", "value": "svc"}])["service"]
    assert created["serviceArn"] == service_arn(unique_name, unique_name)
    assert created["clusterArn"] == cluster_arn(unique_name)
    assert created["status"] == "ACTIVE"
    assert created["desiredCount"] == 3
    assert created["taskDefinition"] == td
    assert created["launchType"] == "EC2"
    assert created["schedulingStrategy"] == "REPLICA"
    assert created["deploymentController"] == {"type": "ECS"}
    assert created["deploymentConfiguration"]["maximumPercent"] == 200
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    (first,) = created["deployments"]
    assert first["status"] == "PRIMARY" and first["taskDefinition"] == td

    wait_stable(ecs, unique_name, unique_name)
    svc = describe_completed(ecs, unique_name, unique_name)
    assert svc["status"] == "ACTIVE"
    assert (svc["desiredCount"], svc["runningCount"], svc["pendingCount"]) == (3, 3, 0)
    (deployment,) = svc["deployments"]
    assert DEPLOYMENT_ID.match(deployment["id"]), deployment["id"]
    assert deployment["id"] == first["id"]
    assert deployment["status"] == "PRIMARY"
    assert deployment["rolloutState"] == "COMPLETED"
    assert deployment["taskDefinition"] == td
    assert (deployment["desiredCount"], deployment["runningCount"], deployment["pendingCount"],
            deployment["failedTasks"]) == (3, 3, 0, 0)
    assert deployment["launchType"] == "EC2"

    tasks = service_tasks(ecs, unique_name, unique_name)
    assert len(tasks) == 3
    for task in tasks:
        assert task["group"] == f"service:{unique_name}", task["group"]
        assert task["startedBy"] == deployment["id"]
        assert task["taskDefinitionArn"] == td
        assert task["lastStatus"] == "RUNNING" and task["desiredStatus"] == "RUNNING"

    events = svc["events"]
    assert [e["createdAt"] for e in events] == sorted((e["createdAt"] for e in events),
                                                      reverse=True), "events are newest first"
    messages = [e["message"] for e in events]
    assert messages[0] == f"(service {unique_name}) has reached a steady state.", messages
    started = [i for i, m in enumerate(messages)
               if m.startswith(f"(service {unique_name}) has started 3 tasks:")]
    assert len(started) == 1, messages
    for task in tasks:
        assert f"(task {task_id(task['taskArn'])})" in messages[started[0]], messages[started[0]]
    assert len({e["id"] for e in events}) == len(events)

    tagged = ecs.describe_services(cluster=unique_name, services=[unique_name], include=["TAGS"])
    assert tagged["services"][0]["tags"] == [{"key": "team", "value": "svc"}]
    # The service by ARN, the cluster by ARN: the same service.
    by_arn = ecs.describe_services(cluster=cluster_arn(unique_name),
                                   services=[service_arn(unique_name, unique_name)])["services"]
    assert [s["serviceArn"] for s in by_arn] == [svc["serviceArn"]]


def test_update_to_a_new_revision_rolls_the_tasks(ecs, unique_name):
    td1 = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td1,
                       desiredCount=2)
    wait_stable(ecs, unique_name, unique_name)
    (old_deployment,) = describe(ecs, unique_name, unique_name)["deployments"]
    old_tasks = [t["taskArn"] for t in service_tasks(ecs, unique_name, unique_name)]
    assert len(old_tasks) == 2

    td2 = register(ecs, unique_name, image="anything:2")
    assert td2 == task_definition_arn(unique_name, 2)
    updated = ecs.update_service(cluster=unique_name, service=unique_name,
                                 taskDefinition=f"{unique_name}:2")["service"]
    assert updated["taskDefinition"] == td2
    primary = [d for d in updated["deployments"] if d["status"] == "PRIMARY"]
    assert [d["taskDefinition"] for d in primary] == [td2], updated["deployments"]
    assert primary[0]["id"] != old_deployment["id"]
    assert DEPLOYMENT_ID.match(primary[0]["id"])

    wait_stable(ecs, unique_name, unique_name)
    svc = describe_completed(ecs, unique_name, unique_name)
    (deployment,) = svc["deployments"]
    assert deployment["id"] == primary[0]["id"]
    assert (deployment["status"], deployment["rolloutState"]) == ("PRIMARY", "COMPLETED")
    assert deployment["taskDefinition"] == td2
    assert svc["taskDefinition"] == td2
    assert svc["runningCount"] == 2
    assert svc["createdAt"] == updated["createdAt"]

    tasks = service_tasks(ecs, unique_name, unique_name)
    assert len(tasks) == 2
    assert all(t["taskDefinitionArn"] == td2 and t["startedBy"] == deployment["id"] for t in tasks)
    assert not {t["taskArn"] for t in tasks} & set(old_tasks)
    stopped = ecs.describe_tasks(cluster=unique_name, tasks=old_tasks)["tasks"]
    assert [t["desiredStatus"] for t in stopped] == ["STOPPED", "STOPPED"]
    messages = [e["message"] for e in svc["events"]]
    assert messages[0] == f"(service {unique_name}) has reached a steady state."
    stops = [m for m in messages if m.startswith(f"(service {unique_name}) has stopped ")]
    assert stops, messages
    assert all(f"(task {task_id(a)})" in " ".join(stops) for a in old_tasks), stops


def test_force_new_deployment_replaces_the_tasks(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=1)
    wait_stable(ecs, unique_name, unique_name)
    (old,) = describe(ecs, unique_name, unique_name)["deployments"]
    (old_task,) = ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"]
    ecs.update_service(cluster=unique_name, service=unique_name, forceNewDeployment=True)
    wait_stable(ecs, unique_name, unique_name)
    (new,) = describe(ecs, unique_name, unique_name)["deployments"]
    assert new["id"] != old["id"] and new["taskDefinition"] == td
    (task,) = service_tasks(ecs, unique_name, unique_name)
    assert task["taskArn"] != old_task and task["startedBy"] == new["id"]


@pytest.mark.parametrize("propagate", ["SERVICE", "TASK_DEFINITION"])
def test_tags_propagate_to_the_service_tasks(ecs, unique_name, propagate):
    ecs.create_cluster(clusterName=unique_name)
    td = ecs.register_task_definition(
        family=unique_name, containerDefinitions=[{"name": "app", "image": "x:1", "memory": 64}],
        tags=[{"key": "from", "value": "task-definition"}])["taskDefinition"]["taskDefinitionArn"]
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=1, tags=[{"key": "from", "value": "service"}],
                       propagateTags=propagate, enableECSManagedTags=True)
    wait_stable(ecs, unique_name, unique_name)
    (arn,) = ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"]
    (task,) = ecs.describe_tasks(cluster=unique_name, tasks=[arn], include=["TAGS"])["tasks"]
    expected = {"from": "service" if propagate == "SERVICE" else "task-definition",
                "aws:ecs:serviceName": unique_name, "aws:ecs:clusterName": unique_name}
    assert {t["key"]: t["value"] for t in task["tags"]} == expected, task["tags"]


def test_describe_services_takes_at_most_ten(ecs, unique_name):
    ecs.create_cluster(clusterName=unique_name)
    with pytest.raises(ClientError) as excinfo:
        ecs.describe_services(cluster=unique_name, services=[f"s{i}" for i in range(11)])
    assert_client_error(excinfo, "InvalidParameterException")


def test_a_stopped_task_is_replaced(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=3)
    wait_stable(ecs, unique_name, unique_name)
    before = ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"]
    assert len(before) == 3
    victim = before[0]
    ecs.stop_task(cluster=unique_name, task=victim, reason="replace me")

    def replaced():
        arns = ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"]
        svc = describe(ecs, unique_name, unique_name)
        if victim not in arns and len(arns) == 3 and svc["runningCount"] == 3:
            return arns
        return None
    after = poll("a replacement task and runningCount 3", replaced)
    (new_task,) = set(after) - set(before)
    assert set(before) - set(after) == {victim}
    wait_stable(ecs, unique_name, unique_name)
    (task,) = ecs.describe_tasks(cluster=unique_name, tasks=[new_task])["tasks"]
    assert task["group"] == f"service:{unique_name}"
    assert victim in ecs.list_tasks(cluster=unique_name, serviceName=unique_name,
                                    desiredStatus="STOPPED")["taskArns"]
    (gone,) = ecs.describe_tasks(cluster=unique_name, tasks=[victim])["tasks"]
    assert gone["desiredStatus"] == "STOPPED"
    assert gone["stoppedReason"] == "replace me"
    messages = [e["message"] for e in describe(ecs, unique_name, unique_name)["events"]]
    assert any(m.startswith(f"(service {unique_name}) has started 1 tasks:")
               and f"(task {task_id(new_task)})" in m for m in messages), messages


def test_scale_to_zero_and_delete_without_force(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=2)
    wait_stable(ecs, unique_name, unique_name)
    first_deployment = describe(ecs, unique_name, unique_name)["deployments"][0]["id"]
    updated = ecs.update_service(cluster=unique_name, service=unique_name, desiredCount=0)["service"]
    assert updated["desiredCount"] == 0
    wait_stable(ecs, unique_name, unique_name)
    svc = describe(ecs, unique_name, unique_name)
    assert (svc["desiredCount"], svc["runningCount"], svc["pendingCount"]) == (0, 0, 0)
    # A scale alone is no new deployment.
    assert [d["id"] for d in svc["deployments"]] == [first_deployment]
    assert ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"] == []

    deleted = ecs.delete_service(cluster=unique_name, service=unique_name)["service"]
    assert deleted["status"] == "DRAINING"
    wait_inactive(ecs, unique_name, unique_name)
    assert describe(ecs, unique_name, unique_name)["status"] == "INACTIVE"


def test_delete_service_needs_force_when_scaled_up(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=2)
    wait_stable(ecs, unique_name, unique_name)
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_service(cluster=unique_name, service=unique_name)
    assert_client_error(excinfo, "InvalidParameterException")
    assert describe(ecs, unique_name, unique_name)["status"] == "ACTIVE"
    assert len(ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"]) == 2

    deleted = ecs.delete_service(cluster=unique_name, service=unique_name, force=True)["service"]
    assert deleted["status"] == "DRAINING"
    assert deleted["desiredCount"] == 0
    wait_inactive(ecs, unique_name, unique_name)
    svc = describe(ecs, unique_name, unique_name)
    assert svc["status"] == "INACTIVE"
    assert svc["runningCount"] == 0
    assert ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"] == []
    assert service_arn(unique_name, unique_name) not in ecs.list_services(
        cluster=unique_name)["serviceArns"]

    # The stable waiter fails at once on an INACTIVE service instead of waiting it out.
    with pytest.raises(WaiterError) as waited:
        ecs.get_waiter("services_stable").wait(cluster=unique_name, services=[unique_name],
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    assert "terminal failure" in str(waited.value)

    # The name of an INACTIVE service can be used for a new one.
    again = ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                               desiredCount=1)["service"]
    assert again["status"] == "ACTIVE"
    wait_stable(ecs, unique_name, unique_name)
    ecs.delete_service(cluster=unique_name, service=unique_name, force=True)
    wait_inactive(ecs, unique_name, unique_name)


def test_an_inactive_service_is_not_active(ecs, unique_name):
    """AWS keeps a deleted service as INACTIVE for a while: DescribeServices shows it, and
    UpdateService and DeleteService answer ServiceNotActiveException ("Service was not ACTIVE.")
    rather than ServiceNotFoundException."""
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=0)
    ecs.delete_service(cluster=unique_name, service=unique_name)
    wait_inactive(ecs, unique_name, unique_name)
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_service(cluster=unique_name, service=unique_name)
    assert_client_error(excinfo, "ServiceNotActiveException")
    with pytest.raises(ClientError) as excinfo:
        ecs.update_service(cluster=unique_name, service=unique_name, desiredCount=1)
    assert_client_error(excinfo, "ServiceNotActiveException")


def test_describe_unknown_service_is_a_missing_failure(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName="known", taskDefinition=td, desiredCount=0)
    out = ecs.describe_services(cluster=unique_name, services=["known", "unknown"])
    assert [s["serviceName"] for s in out["services"]] == ["known"]
    assert out["failures"] == [{"arn": service_arn(unique_name, "unknown"), "reason": "MISSING"}]
    with pytest.raises(ClientError) as excinfo:
        ecs.update_service(cluster=unique_name, service="unknown", desiredCount=1)
    assert_client_error(excinfo, "ServiceNotFoundException")
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_service(cluster=unique_name, service="unknown")
    assert_client_error(excinfo, "ServiceNotFoundException")
    with pytest.raises(WaiterError):
        ecs.get_waiter("services_stable").wait(cluster=unique_name, services=["unknown"],
                                               WaiterConfig={"Delay": 1, "MaxAttempts": 3})


def test_list_services_pages_and_filters(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    fargate_td = register_fargate(ecs, f"{unique_name}-fg")
    ecs.create_service(cluster=unique_name, serviceName="replica-ec2", taskDefinition=td,
                       desiredCount=0)
    ecs.create_service(cluster=unique_name, serviceName="replica-fargate", taskDefinition=fargate_td,
                       desiredCount=0, launchType="FARGATE", networkConfiguration=FARGATE_NETWORK)
    ecs.create_service(cluster=unique_name, serviceName="daemon-ec2", taskDefinition=td,
                       schedulingStrategy="DAEMON")
    arn = {n: service_arn(unique_name, n) for n in ("replica-ec2", "replica-fargate", "daemon-ec2")}

    everything = ecs.list_services(cluster=unique_name)
    assert sorted(everything["serviceArns"]) == sorted(arn.values())
    assert "nextToken" not in everything

    walked, token, pages = [], None, 0
    while True:
        page = ecs.list_services(cluster=unique_name, maxResults=1,
                                 **({"nextToken": token} if token else {}))
        assert len(page["serviceArns"]) == 1, page
        walked.extend(page["serviceArns"])
        token = page.get("nextToken")
        pages += 1
        if not token:
            break
        assert pages < 5
    assert pages == 3
    assert walked == everything["serviceArns"]

    paginated = [a for p in ecs.get_paginator("list_services").paginate(
        cluster=unique_name, PaginationConfig={"PageSize": 2}) for a in p["serviceArns"]]
    assert paginated == everything["serviceArns"]

    def listed(**filters):
        return sorted(ecs.list_services(cluster=unique_name, **filters)["serviceArns"])
    assert listed(launchType="FARGATE") == [arn["replica-fargate"]]
    assert listed(launchType="EC2") == sorted([arn["replica-ec2"], arn["daemon-ec2"]])
    assert listed(launchType="EXTERNAL") == []
    assert listed(schedulingStrategy="DAEMON") == [arn["daemon-ec2"]]
    assert listed(schedulingStrategy="REPLICA") == sorted([arn["replica-ec2"], arn["replica-fargate"]])
    assert listed(launchType="EC2", schedulingStrategy="REPLICA") == [arn["replica-ec2"]]

    other = f"{unique_name}-empty"
    ecs.create_cluster(clusterName=other)
    assert ecs.list_services(cluster=other)["serviceArns"] == []
    with pytest.raises(ClientError) as excinfo:
        ecs.list_services(cluster=f"{unique_name}-nope")
    assert_client_error(excinfo, "ClusterNotFoundException")


def test_daemon_service_runs_one_task_per_instance(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                           schedulingStrategy="DAEMON", desiredCount=2)
    assert_client_error(excinfo, "InvalidParameterException")

    created = ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                                 schedulingStrategy="DAEMON")["service"]
    assert created["schedulingStrategy"] == "DAEMON"
    assert created["deploymentConfiguration"]["maximumPercent"] == 100
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    # A DAEMON service's desiredCount is one per ACTIVE instance, from CreateService on.
    assert created["desiredCount"] == 1
    wait_stable(ecs, unique_name, unique_name)
    (instance,) = ecs.list_container_instances(cluster=unique_name)["containerInstanceArns"]
    svc = describe(ecs, unique_name, unique_name)
    assert (svc["desiredCount"], svc["runningCount"]) == (1, 1)
    # The scheduler marks the deployment COMPLETED on its next look after the task runs.
    poll("the daemon's deployment to complete",
         lambda: describe(ecs, unique_name, unique_name)["deployments"][0]["rolloutState"] == "COMPLETED")
    (task,) = service_tasks(ecs, unique_name, unique_name)
    assert task["containerInstanceArn"] == instance
    assert task["group"] == f"service:{unique_name}"
    assert task["startedBy"] == svc["deployments"][0]["id"]

    # DAEMON services are deleted without force.
    assert ecs.delete_service(cluster=unique_name, service=unique_name)["service"]["status"] == "DRAINING"
    wait_inactive(ecs, unique_name, unique_name)
    assert ecs.list_tasks(cluster=unique_name, serviceName=unique_name)["taskArns"] == []


def statistics(cluster):
    return {s["name"]: s["value"] for s in cluster["statistics"]}


def test_cluster_counts_services(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    fargate_td = register_fargate(ecs, f"{unique_name}-fg")
    ecs.create_service(cluster=unique_name, serviceName="ec2", taskDefinition=td, desiredCount=2)
    ecs.create_service(cluster=unique_name, serviceName="fargate", taskDefinition=fargate_td,
                       desiredCount=1, launchType="FARGATE", networkConfiguration=FARGATE_NETWORK)
    wait_stable(ecs, unique_name, "ec2", "fargate")
    (cluster,) = ecs.describe_clusters(clusters=[unique_name], include=["STATISTICS"])["clusters"]
    assert cluster["activeServicesCount"] == 2
    assert cluster["runningTasksCount"] == 3
    stats = statistics(cluster)
    assert stats["activeEC2ServiceCount"] == "1"
    assert stats["activeFargateServiceCount"] == "1"
    assert stats["runningEC2TasksCount"] == "2"
    assert stats["runningFargateTasksCount"] == "1"
    assert stats["drainingEC2ServiceCount"] == "0"

    ecs.delete_service(cluster=unique_name, service="fargate", force=True)
    wait_inactive(ecs, unique_name, "fargate")
    (cluster,) = ecs.describe_clusters(clusters=[unique_name], include=["STATISTICS"])["clusters"]
    assert cluster["activeServicesCount"] == 1
    stats = statistics(cluster)
    assert (stats["activeFargateServiceCount"], stats["runningFargateTasksCount"]) == ("0", "0")
    assert stats["activeEC2ServiceCount"] == "1"


def test_delete_cluster_with_a_service(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                       desiredCount=0)
    with pytest.raises(ClientError) as excinfo:
        ecs.delete_cluster(cluster=unique_name)
    assert_client_error(excinfo, "ClusterContainsServicesException")
    ecs.delete_service(cluster=unique_name, service=unique_name)
    wait_inactive(ecs, unique_name, unique_name)
    assert ecs.delete_cluster(cluster=unique_name)["cluster"]["status"] == "INACTIVE"


def test_duplicate_service_name_is_not_idempotent(ecs, unique_name):
    td = cluster_and_family(ecs, unique_name)
    first = ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                               desiredCount=0, clientToken=unique_name)["service"]
    # The same request with the same client token is a retry: the same service.
    retried = ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                                 desiredCount=0, clientToken=unique_name)["service"]
    assert retried["serviceArn"] == first["serviceArn"]
    assert retried["createdAt"] == first["createdAt"]
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                           desiredCount=1)
    assert_client_error(excinfo, "InvalidParameterException",
                        message_contains="Creation of service was not idempotent.")
    # Another cluster may hold a service of the same name.
    other = f"{unique_name}-2"
    ecs.create_cluster(clusterName=other)
    elsewhere = ecs.create_service(cluster=other, serviceName=unique_name, taskDefinition=td,
                                   desiredCount=0)["service"]
    assert elsewhere["serviceArn"] == service_arn(other, unique_name)


def test_create_service_needs_an_existing_cluster(ecs, unique_name):
    td = register(ecs, unique_name)
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                           desiredCount=1)
    assert_client_error(excinfo, "ClusterNotFoundException")


def test_list_services_by_namespace_without_cloud_map(ecs, unique_name):
    with pytest.raises(ClientError) as excinfo:
        ecs.list_services_by_namespace(namespace=unique_name)
    assert_client_error(excinfo, "NamespaceNotFoundException")


@pytest.mark.parametrize("extra", [
    {"loadBalancers": [{"loadBalancerName": "classic", "containerName": "app", "containerPort": 80}]},
    {"deploymentController": {"type": "CODE_DEPLOY"}},
], ids=["classicLoadBalancer", "CODE_DEPLOY"])
def test_unsupported_service_features_are_refused(ecs, unique_name, extra):
    td = cluster_and_family(ecs, unique_name)
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td,
                           desiredCount=1, **extra)
    assert_client_error(excinfo, "UnsupportedFeatureException")
    assert ecs.list_services(cluster=unique_name)["serviceArns"] == []


def test_a_service_load_balancer_names_an_existing_target_group(ecs, unique_name):
    """ECS checks the target group before it creates the service."""
    td = cluster_and_family(ecs, unique_name)
    missing = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT_ID}:targetgroup/tg/0123456789abcdef"
    with pytest.raises(ClientError) as excinfo:
        ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td, desiredCount=1,
                           loadBalancers=[{"targetGroupArn": missing, "containerName": "app", "containerPort": 80}])
    assert_client_error(excinfo, "InvalidParameterException", message_contains="does not exist")


def test_service_deployments_and_revisions(ecs_current, unique_name):
    ecs = ecs_current
    td1 = cluster_and_family(ecs, unique_name)
    breaker = {"deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    created = ecs.create_service(cluster=unique_name, serviceName=unique_name, taskDefinition=td1,
                                 desiredCount=2, deploymentConfiguration=breaker)["service"]
    assert created["deploymentConfiguration"]["deploymentCircuitBreaker"] == {
        "enable": True, "rollback": True}
    wait_stable(ecs, unique_name, unique_name)
    svc = describe(ecs, unique_name, unique_name)
    arn = svc["serviceArn"]
    deployment_arn = re.compile(
        rf"^arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-deployment/{unique_name}/{unique_name}/[A-Za-z0-9_-]+$")
    revision_arn = re.compile(
        rf"^arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-revision/{unique_name}/{unique_name}/\d+$")

    (brief,) = ecs.list_service_deployments(cluster=unique_name, service=unique_name)[
        "serviceDeployments"]
    assert deployment_arn.match(brief["serviceDeploymentArn"]), brief
    assert brief["serviceArn"] == arn and brief["clusterArn"] == cluster_arn(unique_name)
    assert brief["status"] == "SUCCESSFUL", brief
    assert revision_arn.match(brief["targetServiceRevisionArn"]), brief
    assert brief["startedAt"] <= brief["finishedAt"]
    assert svc["currentServiceDeployment"] == brief["serviceDeploymentArn"]
    assert [r["arn"] for r in svc["currentServiceRevisions"]] == [brief["targetServiceRevisionArn"]]

    described = ecs.describe_service_deployments(serviceDeploymentArns=[brief["serviceDeploymentArn"]])
    assert described["failures"] == []
    (full,) = described["serviceDeployments"]
    assert full["serviceDeploymentArn"] == brief["serviceDeploymentArn"]
    assert full["status"] == "SUCCESSFUL"
    assert full["targetServiceRevision"]["arn"] == brief["targetServiceRevisionArn"]
    assert full["targetServiceRevision"]["requestedTaskCount"] == 2
    assert full["targetServiceRevision"]["runningTaskCount"] == 2
    assert full["sourceServiceRevisions"] == []
    assert full["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True,
                                                                          "rollback": True}
    assert full["deploymentCircuitBreaker"]["status"] == "MONITORING_COMPLETE"
    assert full["deploymentCircuitBreaker"]["failureCount"] == 0
    assert full["deploymentCircuitBreaker"]["threshold"] == 3  # 50% of 2, at least 3

    revisions = ecs.describe_service_revisions(serviceRevisionArns=[brief["targetServiceRevisionArn"]])
    assert revisions["failures"] == []
    (revision,) = revisions["serviceRevisions"]
    assert revision["serviceRevisionArn"] == brief["targetServiceRevisionArn"]
    assert revision["serviceArn"] == arn and revision["clusterArn"] == cluster_arn(unique_name)
    assert revision["taskDefinition"] == td1
    assert revision["launchType"] == "EC2"
    assert revision["containerImages"] == [{"containerName": "app", "image": "anything:1"}]

    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=brief["serviceDeploymentArn"],
                                    stopType="ROLLBACK")
    assert_client_error(excinfo, "ConflictException")

    # A second deployment: the first revision is its source.
    td2 = register(ecs, unique_name, image="anything:2")
    ecs.update_service(cluster=unique_name, service=unique_name, taskDefinition=td2)
    wait_stable(ecs, unique_name, unique_name)
    briefs = ecs.list_service_deployments(cluster=unique_name, service=unique_name)[
        "serviceDeployments"]
    assert len(briefs) == 2
    (second,) = [b for b in briefs if b["serviceDeploymentArn"] != brief["serviceDeploymentArn"]]
    assert second["status"] == "SUCCESSFUL"
    assert second["targetServiceRevisionArn"] != brief["targetServiceRevisionArn"]
    assert describe(ecs, unique_name, unique_name)["currentServiceDeployment"] == second[
        "serviceDeploymentArn"]
    (full2,) = ecs.describe_service_deployments(
        serviceDeploymentArns=[second["serviceDeploymentArn"]])["serviceDeployments"]
    assert [r["arn"] for r in full2["sourceServiceRevisions"]] == [brief["targetServiceRevisionArn"]]
    both = ecs.describe_service_revisions(serviceRevisionArns=[
        brief["targetServiceRevisionArn"], second["targetServiceRevisionArn"]])["serviceRevisions"]
    assert sorted(r["taskDefinition"] for r in both) == sorted([td1, td2])
    assert {r["containerImages"][0]["image"] for r in both} == {"anything:1", "anything:2"}

    assert ecs.list_service_deployments(cluster=unique_name, service=unique_name,
                                        status=["IN_PROGRESS"])["serviceDeployments"] == []
    assert len(ecs.list_service_deployments(cluster=unique_name, service=unique_name,
                                            status=["SUCCESSFUL"])["serviceDeployments"]) == 2
    page = ecs.list_service_deployments(cluster=unique_name, service=unique_name, maxResults=1)
    assert len(page["serviceDeployments"]) == 1 and page.get("nextToken")
    rest = ecs.list_service_deployments(cluster=unique_name, service=unique_name, maxResults=1,
                                        nextToken=page["nextToken"])
    assert len(rest["serviceDeployments"]) == 1 and "nextToken" not in rest
    assert {d["serviceDeploymentArn"] for d in page["serviceDeployments"] + rest["serviceDeployments"]
            } == {b["serviceDeploymentArn"] for b in briefs}

    missing_deployment = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-deployment/{unique_name}/{unique_name}/nope"
    missing_revision = f"arn:aws:ecs:{REGION}:{ACCOUNT_ID}:service-revision/{unique_name}/{unique_name}/1"
    out = ecs.describe_service_deployments(serviceDeploymentArns=[missing_deployment])
    assert out["serviceDeployments"] == []
    assert [(f["arn"], f["reason"]) for f in out["failures"]] == [(missing_deployment, "MISSING")]
    out = ecs.describe_service_revisions(serviceRevisionArns=[missing_revision])
    assert out["serviceRevisions"] == []
    assert [(f["arn"], f["reason"]) for f in out["failures"]] == [(missing_revision, "MISSING")]
    with pytest.raises(ClientError) as excinfo:
        ecs.stop_service_deployment(serviceDeploymentArn=missing_deployment)
    assert_client_error(excinfo, "ServiceDeploymentNotFoundException")
    with pytest.raises(ClientError) as excinfo:
        ecs.list_service_deployments(cluster=unique_name, service="no-such-service")
    assert_client_error(excinfo, "ServiceNotFoundException")

"""Task definitions through boto3: RegisterTaskDefinition, DescribeTaskDefinition,
ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition, DeleteTaskDefinitions,
and the fixtures under fixtures/task-definitions."""
import pytest
from botocore.exceptions import ClientError

from ecsbox_server import TARGET_PREFIX
from helpers import (FIXTURE_FILES, assert_client_error, assert_client_error_in, deep_diff,
                     fixture_checks, load_fixture, raw_call, task_definition_arn)


def container(name="app", **extra):
    c = {"name": name, "image": "busybox:1.36", "memory": 64, "command": ["sleep", "60"]}
    c.update(extra)
    return c


def register(ecs, family, **kwargs):
    kwargs.setdefault("containerDefinitions", [container()])
    return ecs.register_task_definition(family=family, **kwargs)


def list_all(ecs, **kwargs):
    arns, token = [], None
    while True:
        page = ecs.list_task_definitions(**kwargs, **({"nextToken": token} if token else {}))
        arns.extend(page["taskDefinitionArns"])
        token = page.get("nextToken")
        if not token:
            return arns


def families_all(ecs, **kwargs):
    out, token = [], None
    while True:
        page = ecs.list_task_definition_families(**kwargs, **({"nextToken": token} if token else {}))
        out.extend(page["families"])
        token = page.get("nextToken")
        if not token:
            return out


# --- the fixtures --------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", FIXTURE_FILES)
def test_fixture_round_trip(ecs, fixture, unique_name):
    body = load_fixture(fixture)
    body["family"] = unique_name
    resp = ecs.register_task_definition(**body)
    td = resp["taskDefinition"]
    assert fixture_checks(body, resp) == []
    assert td["taskDefinitionArn"] == task_definition_arn(unique_name, 1)
    assert td["revision"] == 1
    assert td["status"] == "ACTIVE"
    described = ecs.describe_task_definition(taskDefinition=f"{unique_name}:1", include=["TAGS"])
    assert deep_diff(td, described["taskDefinition"]) == []
    assert described.get("tags", []) == body.get("tags", [])


@pytest.mark.parametrize("fixture", FIXTURE_FILES)
def test_fixture_raw_json_register_equals_describe(ecsbox, fixture, unique_name):
    """The same as above in raw JSON: numbers (registeredAt) exactly as sent, no client parsing."""
    body = load_fixture(fixture)
    body["family"] = unique_name
    status, _, registered = raw_call(ecsbox.endpoint, body,
                                     target=f"{TARGET_PREFIX}.RegisterTaskDefinition")
    assert status == 200, registered
    assert fixture_checks(body, registered) == []
    for ref in (unique_name, f"{unique_name}:1", task_definition_arn(unique_name, 1)):
        status, _, described = raw_call(ecsbox.endpoint, {"taskDefinition": ref},
                                        target=f"{TARGET_PREFIX}.DescribeTaskDefinition")
        assert status == 200, described
        assert deep_diff(registered["taskDefinition"], described["taskDefinition"]) == []


def test_minimal_fixture_gets_ecs_defaults(ecs, unique_name):
    body = load_fixture("minimal.json")
    body["family"] = unique_name
    td = ecs.register_task_definition(**body)["taskDefinition"]
    (cd,) = td["containerDefinitions"]
    assert cd["essential"] is True
    assert cd["cpu"] == 0
    assert cd["portMappings"] == []
    assert cd["environment"] == []
    assert cd["mountPoints"] == []
    assert cd["volumesFrom"] == []
    assert td["volumes"] == []
    assert td["placementConstraints"] == []
    assert "EC2" in td["compatibilities"]
    assert "registeredAt" in td


def test_fargate_fixture_compatibilities_and_host_port(ecs, unique_name):
    body = load_fixture("fargate-api.json")
    body["family"] = unique_name
    td = ecs.register_task_definition(**body)["taskDefinition"]
    assert {"EC2", "FARGATE"} <= set(td["compatibilities"])
    assert td["requiresCompatibilities"] == ["FARGATE"]
    pm = td["containerDefinitions"][0]["portMappings"][0]
    assert pm["hostPort"] == pm["containerPort"] == 8080
    assert pm["protocol"] == "tcp"


def test_web_app_fixture_port_mapping_protocol_default(ecs, unique_name):
    body = load_fixture("web-app.json")
    body["family"] = unique_name
    for cd in body["containerDefinitions"]:
        for pm in cd.get("portMappings", []):
            pm.pop("protocol", None)
    td = ecs.register_task_definition(**body)["taskDefinition"]
    for cd in td["containerDefinitions"]:
        for pm in cd.get("portMappings", []):
            assert pm["protocol"] == "tcp"


# --- register / describe ---------------------------------------------------------------------

def test_revisions_increment_per_family(ecs, new_name):
    fam_a, fam_b = new_name("fa"), new_name("fb")
    assert register(ecs, fam_a)["taskDefinition"]["revision"] == 1
    assert register(ecs, fam_a)["taskDefinition"]["revision"] == 2
    assert register(ecs, fam_b)["taskDefinition"]["revision"] == 1
    td = register(ecs, fam_a)["taskDefinition"]
    assert td["revision"] == 3
    assert td["taskDefinitionArn"] == task_definition_arn(fam_a, 3)
    assert td["family"] == fam_a


def test_describe_by_family_revision_and_arn(ecs, unique_name):
    register(ecs, unique_name, containerDefinitions=[container(command=["echo", "1"])])
    register(ecs, unique_name, containerDefinitions=[container(command=["echo", "2"])])
    latest = ecs.describe_task_definition(taskDefinition=unique_name)["taskDefinition"]
    assert latest["revision"] == 2
    first = ecs.describe_task_definition(taskDefinition=f"{unique_name}:1")["taskDefinition"]
    assert first["revision"] == 1
    assert first["containerDefinitions"][0]["command"] == ["echo", "1"]
    by_arn = ecs.describe_task_definition(
        taskDefinition=task_definition_arn(unique_name, 2))["taskDefinition"]
    assert deep_diff(by_arn, latest) == []


def test_describe_family_uses_latest_active_revision(ecs, unique_name):
    for _ in range(3):
        register(ecs, unique_name)
    ecs.deregister_task_definition(taskDefinition=f"{unique_name}:3")
    td = ecs.describe_task_definition(taskDefinition=unique_name)["taskDefinition"]
    assert td["revision"] == 2
    # An INACTIVE revision can still be described by number.
    td3 = ecs.describe_task_definition(taskDefinition=f"{unique_name}:3")["taskDefinition"]
    assert td3["status"] == "INACTIVE"


@pytest.mark.parametrize("ref", ["{fam}", "{fam}:1", "{fam}:99",
                                 "arn:aws:ecs:us-east-1:000000000000:task-definition/{fam}:1"])
def test_describe_unknown_task_definition(ecs, new_name, ref):
    fam = new_name("absent")
    if ref == "{fam}:99":
        register(ecs, fam)
    with pytest.raises(ClientError) as e:
        ecs.describe_task_definition(taskDefinition=ref.format(fam=fam))
    assert_client_error(e, "ClientException", message_contains="Unable to describe task definition.")


def test_register_with_tags_and_describe_include_tags(ecs, unique_name):
    tags = [{"key": "a", "value": "1"}, {"key": "b", "value": ""}]
    resp = register(ecs, unique_name, tags=tags)
    assert resp["tags"] == tags
    d = ecs.describe_task_definition(taskDefinition=unique_name, include=["TAGS"])
    assert d["tags"] == tags
    d = ecs.describe_task_definition(taskDefinition=unique_name)
    assert d.get("tags", []) == []


def test_register_container_without_image_is_client_error(ecs, unique_name):
    with pytest.raises(ClientError) as e:
        ecs.register_task_definition(family=unique_name,
                                     containerDefinitions=[{"name": "noimage", "memory": 64}])
    assert_client_error(e, "ClientException")


def test_register_fargate_requires_awsvpc(ecs, unique_name):
    with pytest.raises(ClientError) as e:
        ecs.register_task_definition(
            family=unique_name, requiresCompatibilities=["FARGATE"], networkMode="bridge",
            cpu="256", memory="512", containerDefinitions=[container()])
    assert_client_error(e, "ClientException")


def test_register_invalid_family_name(ecs):
    with pytest.raises(ClientError) as e:
        register(ecs, "bad family!")
    assert_client_error_in(e, ("ClientException", "InvalidParameterException"))


@pytest.mark.parametrize("cpu,memory,want_cpu,want_memory", [
    ("1 vCPU", "2 GB", "1024", "2048"),
    ("0.5 vcpu", "1GB", "512", "1024"),
    ("2048", "4096", "2048", "4096"),
])
def test_task_size_strings_are_converted(ecs, unique_name, cpu, memory, want_cpu, want_memory):
    # "String values are converted to an integer indicating the CPU units [MiB] when the task
    # definition is registered."
    td = register(ecs, unique_name, cpu=cpu, memory=memory)["taskDefinition"]
    assert (td["cpu"], td["memory"]) == (want_cpu, want_memory)


def test_register_empty_container_list(ecs, unique_name):
    with pytest.raises(ClientError) as e:
        ecs.register_task_definition(family=unique_name, containerDefinitions=[])
    assert_client_error(e, "ClientException")


def test_register_container_without_memory_on_ec2(ecs, unique_name):
    # Without task-level memory, each container needs memory or memoryReservation.
    with pytest.raises(ClientError) as e:
        ecs.register_task_definition(family=unique_name,
                                     containerDefinitions=[{"name": "c", "image": "busybox"}])
    assert_client_error(e, "ClientException")


def test_register_fargate_requires_task_cpu_and_memory(ecs, unique_name):
    with pytest.raises(ClientError) as e:
        ecs.register_task_definition(
            family=unique_name, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
            containerDefinitions=[{"name": "c", "image": "busybox"}])
    assert_client_error(e, "ClientException")


def test_register_fargate_invalid_size_combination(ecs, unique_name):
    # 0.25 vCPU allows 512 MiB - 2 GB only.
    with pytest.raises(ClientError) as e:
        ecs.register_task_definition(
            family=unique_name, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
            cpu="256", memory="8192", containerDefinitions=[{"name": "c", "image": "busybox"}])
    assert_client_error(e, "ClientException")


# --- list ------------------------------------------------------------------------------------

def test_list_task_definitions_family_prefix_is_exact_family(ecs, new_name):
    fam = new_name("exact")
    register(ecs, fam)
    register(ecs, fam)
    register(ecs, fam + "-longer")
    arns = list_all(ecs, familyPrefix=fam)
    assert arns == [task_definition_arn(fam, 1), task_definition_arn(fam, 2)]


def test_list_task_definitions_sort_and_status(ecs, new_name):
    fam = new_name("sort")
    for _ in range(3):
        register(ecs, fam)
    assert list_all(ecs, familyPrefix=fam, sort="DESC") == [
        task_definition_arn(fam, r) for r in (3, 2, 1)]
    assert list_all(ecs, familyPrefix=fam, sort="ASC") == [
        task_definition_arn(fam, r) for r in (1, 2, 3)]
    ecs.deregister_task_definition(taskDefinition=f"{fam}:2")
    assert list_all(ecs, familyPrefix=fam) == [
        task_definition_arn(fam, 1), task_definition_arn(fam, 3)]
    assert list_all(ecs, familyPrefix=fam, status="ACTIVE") == [
        task_definition_arn(fam, 1), task_definition_arn(fam, 3)]
    assert list_all(ecs, familyPrefix=fam, status="INACTIVE") == [task_definition_arn(fam, 2)]


def test_list_task_definitions_ascending_across_families(ecs, new_name):
    stem = new_name("order")
    fams = [f"{stem}-b", f"{stem}-a"]
    for f in fams:
        register(ecs, f)
        register(ecs, f)
    arns = [a for a in list_all(ecs) if f"task-definition/{stem}-" in a]
    keys = [(a.rsplit("/", 1)[1].rsplit(":", 1)[0], int(a.rsplit(":", 1)[1])) for a in arns]
    assert keys == sorted(keys)
    assert len(arns) == 4


def test_list_task_definition_families_prefix_and_status(ecs, new_name):
    stem = new_name("famlist")
    active, inactive, mixed = f"{stem}-active", f"{stem}-inactive", f"{stem}-mixed"
    register(ecs, active)
    register(ecs, inactive)
    register(ecs, mixed)
    register(ecs, mixed)
    ecs.deregister_task_definition(taskDefinition=f"{inactive}:1")
    ecs.deregister_task_definition(taskDefinition=f"{mixed}:1")

    assert sorted(families_all(ecs, familyPrefix=stem, status="ACTIVE")) == sorted([active, mixed])
    assert families_all(ecs, familyPrefix=stem, status="INACTIVE") == [inactive]
    assert sorted(families_all(ecs, familyPrefix=stem, status="ALL")) == sorted(
        [active, inactive, mixed])
    # A real prefix: "<stem>-a" matches only the active family.
    assert families_all(ecs, familyPrefix=f"{stem}-a") == [active]


def test_list_task_definition_families_default_lists_active_and_inactive(ecs, new_name):
    # ListTaskDefinitionFamilies: "By default, both ACTIVE and INACTIVE task definition families
    # are listed."
    stem = new_name("famdefault")
    register(ecs, f"{stem}-x")
    register(ecs, f"{stem}-y")
    ecs.deregister_task_definition(taskDefinition=f"{stem}-y:1")
    assert sorted(families_all(ecs, familyPrefix=stem)) == [f"{stem}-x", f"{stem}-y"]


# --- deregister / delete ---------------------------------------------------------------------

def test_deregister_task_definition(ecs, unique_name):
    registered = register(ecs, unique_name)["taskDefinition"]
    td = ecs.deregister_task_definition(taskDefinition=f"{unique_name}:1")["taskDefinition"]
    assert td["status"] == "INACTIVE"
    assert td["taskDefinitionArn"] == registered["taskDefinitionArn"]
    assert td["containerDefinitions"] == registered["containerDefinitions"]
    assert "deregisteredAt" in td
    described = ecs.describe_task_definition(taskDefinition=f"{unique_name}:1")["taskDefinition"]
    assert described["status"] == "INACTIVE"
    # New registrations continue the numbering.
    assert register(ecs, unique_name)["taskDefinition"]["revision"] == 2


def test_deregister_by_arn(ecs, unique_name):
    register(ecs, unique_name)
    td = ecs.deregister_task_definition(
        taskDefinition=task_definition_arn(unique_name, 1))["taskDefinition"]
    assert td["status"] == "INACTIVE"


def test_deregister_requires_revision(ecs, unique_name):
    register(ecs, unique_name)
    with pytest.raises(ClientError) as e:
        ecs.deregister_task_definition(taskDefinition=unique_name)
    assert_client_error_in(e, ("ClientException", "InvalidParameterException"))


def test_deregister_unknown(ecs, new_name):
    with pytest.raises(ClientError) as e:
        ecs.deregister_task_definition(taskDefinition=f"{new_name('absent')}:1")
    assert_client_error_in(e, ("ClientException", "InvalidParameterException"))


def test_delete_task_definitions(ecs_current, unique_name):
    ecs = ecs_current
    for _ in range(3):
        register(ecs, unique_name)
    ecs.deregister_task_definition(taskDefinition=f"{unique_name}:1")
    ecs.deregister_task_definition(taskDefinition=f"{unique_name}:2")
    resp = ecs.delete_task_definitions(taskDefinitions=[
        f"{unique_name}:1", task_definition_arn(unique_name, 2), f"{unique_name}:3"])
    deleted = {td["taskDefinitionArn"]: td["status"] for td in resp["taskDefinitions"]}
    assert deleted == {task_definition_arn(unique_name, 1): "DELETE_IN_PROGRESS",
                       task_definition_arn(unique_name, 2): "DELETE_IN_PROGRESS"}
    assert [f["arn"] for f in resp["failures"]] == [task_definition_arn(unique_name, 3)]
    assert resp["failures"][0].get("reason")
    # Revision 3 is still ACTIVE; deleted ones are neither ACTIVE nor INACTIVE.
    assert list_all(ecs, familyPrefix=unique_name) == [task_definition_arn(unique_name, 3)]
    assert list_all(ecs, familyPrefix=unique_name, status="INACTIVE") == []
    # The family keeps counting.
    assert register(ecs, unique_name)["taskDefinition"]["revision"] == 4


def test_delete_task_definitions_unknown_revision_is_a_failure(ecs_current, unique_name):
    register(ecs_current, unique_name)
    resp = ecs_current.delete_task_definitions(taskDefinitions=[f"{unique_name}:7"])
    assert resp["taskDefinitions"] == []
    assert [f["arn"] for f in resp["failures"]] == [task_definition_arn(unique_name, 7)]


def test_delete_task_definitions_requires_revision(ecs_current, unique_name):
    register(ecs_current, unique_name)
    ecs_current.deregister_task_definition(taskDefinition=f"{unique_name}:1")
    with pytest.raises(ClientError) as e:
        ecs_current.delete_task_definitions(taskDefinitions=[unique_name])
    assert_client_error_in(e, ("ClientException", "InvalidParameterException"))


def test_delete_task_definitions_more_than_ten(ecs_current, unique_name):
    with pytest.raises(ClientError) as e:
        ecs_current.delete_task_definitions(
            taskDefinitions=[f"{unique_name}:{i}" for i in range(1, 12)])
    assert_client_error_in(e, ("ClientException", "InvalidParameterException"))


# --- concurrency -----------------------------------------------------------------------------

def test_concurrent_registrations_get_distinct_contiguous_revisions(ecsbox, unique_name):
    """16 clients registering the same family at once: every revision 1..N exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    from helpers import make_client

    threads, per_thread = 16, 5
    clients = [make_client(ecsbox.endpoint) for _ in range(threads)]

    def work(client):
        return [register(client, unique_name)["taskDefinition"]["revision"]
                for _ in range(per_thread)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        revisions = [r for batch in pool.map(work, clients) for r in batch]
    assert sorted(revisions) == list(range(1, threads * per_thread + 1))
    assert list_all(clients[0], familyPrefix=unique_name) == [
        task_definition_arn(unique_name, r) for r in range(1, threads * per_thread + 1)]


def test_register_more_than_fifty_tags_is_validation_error(ecs, unique_name):
    with pytest.raises(ClientError) as e:
        register(ecs, unique_name, tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    assert_client_error(e, "InvalidParameterException", message_contains="1 validation error detected")


def test_unicode_and_control_characters_round_trip(ecs, unique_name):
    env = [{"name": "GREETING", "value": "héllo wörld ✓ 你好"},
           {"name": "MULTILINE", "value": "line1\nline2\ttab \"quoted\" \\backslash"},
           {"name": "EMPTY", "value": ""}]
    td = register(ecs, unique_name, containerDefinitions=[container(environment=env)])[
        "taskDefinition"]
    assert td["containerDefinitions"][0]["environment"] == env
    described = ecs.describe_task_definition(taskDefinition=unique_name)["taskDefinition"]
    assert described["containerDefinitions"][0]["environment"] == env

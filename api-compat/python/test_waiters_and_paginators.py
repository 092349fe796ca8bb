"""boto3 paginators with PageSize=2 over ~7 items: every item exactly once, in the order a single
unpaginated listing gives. (ECS's waiters concern services and tasks, outside this issue's scope;
this module checks that they load from the model and that the paginators exist.)"""
import math

import pytest

from helpers import cluster_arn, task_definition_arn

N = 7


def container():
    return [{"name": "c", "image": "busybox", "memory": 32}]


def pages_of(paginator, **kwargs):
    return list(paginator.paginate(PaginationConfig={"PageSize": 2}, **kwargs))


def unpaginated(call, key, **kwargs):
    out, token = [], None
    while True:
        page = call(maxResults=100, **kwargs, **({"nextToken": token} if token else {}))
        out.extend(page[key])
        token = page.get("nextToken")
        if not token:
            return out


def test_paginators_and_waiters_are_available(ecs):
    for op in ("list_clusters", "list_task_definitions", "list_task_definition_families",
               "list_account_settings"):
        assert ecs.can_paginate(op), op
    assert {"services_stable", "services_inactive", "tasks_running", "tasks_stopped"} <= set(
        ecs.waiter_names)


def test_list_clusters_paginator(ecs, new_name):
    mine = [new_name(f"pgc{i}") for i in range(N)]
    for name in mine:
        ecs.create_cluster(clusterName=name)
    pages = pages_of(ecs.get_paginator("list_clusters"))
    assert all(len(p["clusterArns"]) <= 2 for p in pages)
    assert all(len(p["clusterArns"]) == 2 for p in pages[:-1])
    got = [a for p in pages for a in p["clusterArns"]]
    assert got == unpaginated(ecs.list_clusters, "clusterArns")
    assert len(got) == len(set(got))
    wanted = [cluster_arn(n) for n in mine]
    assert [a for a in got if a in wanted] == [a for a in got if a in set(wanted)]
    assert sorted(a for a in got if a in wanted) == sorted(wanted)


def test_list_clusters_paginator_max_items_resume(ecs, new_name):
    for i in range(3):
        ecs.create_cluster(clusterName=new_name(f"mi{i}"))
    everything = unpaginated(ecs.list_clusters, "clusterArns")
    paginator = ecs.get_paginator("list_clusters")
    got, token = [], None
    while True:
        config = {"PageSize": 2, "MaxItems": 3}
        if token:
            config["StartingToken"] = token
        result = paginator.paginate(PaginationConfig=config).build_full_result()
        got.extend(result["clusterArns"])
        token = result.get("NextToken")
        if not token:
            break
    assert got == everything


def test_list_task_definitions_paginator(ecs, unique_name):
    for _ in range(N):
        ecs.register_task_definition(family=unique_name, containerDefinitions=container())
    paginator = ecs.get_paginator("list_task_definitions")
    pages = pages_of(paginator, familyPrefix=unique_name)
    assert [len(p["taskDefinitionArns"]) for p in pages] == [2, 2, 2, 1]
    got = [a for p in pages for a in p["taskDefinitionArns"]]
    assert got == [task_definition_arn(unique_name, r) for r in range(1, N + 1)]

    pages = pages_of(paginator, familyPrefix=unique_name, sort="DESC")
    got = [a for p in pages for a in p["taskDefinitionArns"]]
    assert got == [task_definition_arn(unique_name, r) for r in range(N, 0, -1)]


def test_list_task_definitions_paginator_with_status(ecs, unique_name):
    for _ in range(N):
        ecs.register_task_definition(family=unique_name, containerDefinitions=container())
    for r in (2, 3, 5, 7):
        ecs.deregister_task_definition(taskDefinition=f"{unique_name}:{r}")
    paginator = ecs.get_paginator("list_task_definitions")
    got = [a for p in pages_of(paginator, familyPrefix=unique_name, status="INACTIVE")
           for a in p["taskDefinitionArns"]]
    assert got == [task_definition_arn(unique_name, r) for r in (2, 3, 5, 7)]
    got = [a for p in pages_of(paginator, familyPrefix=unique_name, status="ACTIVE")
           for a in p["taskDefinitionArns"]]
    assert got == [task_definition_arn(unique_name, r) for r in (1, 4, 6)]


def test_list_task_definitions_paginator_all_families(ecs, unique_name):
    for i in range(N):
        ecs.register_task_definition(family=f"{unique_name}-{i}", containerDefinitions=container())
    pages = pages_of(ecs.get_paginator("list_task_definitions"))
    got = [a for p in pages for a in p["taskDefinitionArns"]]
    assert got == unpaginated(ecs.list_task_definitions, "taskDefinitionArns")
    assert len(got) == len(set(got))
    mine = [a for a in got if f"task-definition/{unique_name}-" in a]
    assert mine == [task_definition_arn(f"{unique_name}-{i}", 1) for i in range(N)]


def test_list_task_definition_families_paginator(ecs, unique_name):
    families = [f"{unique_name}-{i}" for i in range(N)]
    for f in families:
        ecs.register_task_definition(family=f, containerDefinitions=container())
    paginator = ecs.get_paginator("list_task_definition_families")
    pages = pages_of(paginator, familyPrefix=unique_name)
    assert len(pages) == math.ceil(N / 2)
    assert all(len(p["families"]) <= 2 for p in pages)
    got = [f for p in pages for f in p["families"]]
    assert got == unpaginated(ecs.list_task_definition_families, "families",
                              familyPrefix=unique_name)
    assert sorted(got) == sorted(families)

    all_pages = pages_of(paginator, status="ALL")
    got_all = [f for p in all_pages for f in p["families"]]
    assert got_all == unpaginated(ecs.list_task_definition_families, "families", status="ALL")
    assert len(got_all) == len(set(got_all))


@pytest.mark.parametrize("op,key", [("list_clusters", "clusterArns"),
                                    ("list_task_definitions", "taskDefinitionArns"),
                                    ("list_task_definition_families", "families")])
def test_next_token_is_opaque(ecs, unique_name, op, key):
    for i in range(3):
        ecs.create_cluster(clusterName=f"{unique_name}-{i}")
        ecs.register_task_definition(family=f"{unique_name}-{i}", containerDefinitions=container())
    first = getattr(ecs, op)(maxResults=1)
    token = first["nextToken"]
    assert token and not token.isdigit(), token
    second = getattr(ecs, op)(maxResults=1, nextToken=token)
    assert second[key] != first[key]

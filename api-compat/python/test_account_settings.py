"""Account settings through boto3: PutAccountSetting, PutAccountSettingDefault,
ListAccountSettings, DeleteAccountSetting."""
import uuid

import pytest
from botocore.exceptions import ClientError

from helpers import ACCOUNT_ID, assert_client_error

ROOT = f"arn:aws:iam::{ACCOUNT_ID}:root"
CLASSIC_NAMES = ("serviceLongArnFormat", "taskLongArnFormat", "containerInstanceLongArnFormat",
                 "awsvpcTrunking", "containerInsights")


@pytest.fixture
def role_arn():
    return f"arn:aws:iam::{ACCOUNT_ID}:role/api-compat-{uuid.uuid4().hex[:10]}"


def test_put_account_setting_for_principal(ecs, role_arn):
    s = ecs.put_account_setting(name="serviceLongArnFormat", value="enabled",
                                principalArn=role_arn)["setting"]
    assert s["name"] == "serviceLongArnFormat"
    assert s["value"] == "enabled"
    assert s["principalArn"] == role_arn
    listed = ecs.list_account_settings(principalArn=role_arn)["settings"]
    assert [(x["name"], x["value"], x["principalArn"]) for x in listed] == [
        ("serviceLongArnFormat", "enabled", role_arn)]


def test_put_account_setting_overwrites(ecs, role_arn):
    ecs.put_account_setting(name="taskLongArnFormat", value="enabled", principalArn=role_arn)
    ecs.put_account_setting(name="taskLongArnFormat", value="disabled", principalArn=role_arn)
    listed = ecs.list_account_settings(principalArn=role_arn, name="taskLongArnFormat")["settings"]
    assert [(x["name"], x["value"]) for x in listed] == [("taskLongArnFormat", "disabled")]


def test_put_account_setting_without_principal_is_the_caller(ecs):
    s = ecs.put_account_setting(name="awsvpcTrunking", value="enabled")["setting"]
    assert s["principalArn"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:")
    ecs.delete_account_setting(name="awsvpcTrunking")


def test_put_account_setting_default(ecs):
    s = ecs.put_account_setting_default(name="containerInstanceLongArnFormat",
                                        value="enabled")["setting"]
    assert s == {**s, "name": "containerInstanceLongArnFormat", "value": "enabled",
                 "principalArn": ROOT}


def test_list_account_settings_effective(ecs):
    settings = ecs.list_account_settings(effectiveSettings=True, maxResults=10)
    names = set()
    token = None
    while True:
        page = ecs.list_account_settings(effectiveSettings=True, maxResults=10,
                                         **({"nextToken": token} if token else {}))
        names.update(x["name"] for x in page["settings"])
        token = page.get("nextToken")
        if not token:
            break
    assert set(CLASSIC_NAMES) <= names
    assert all(x["principalArn"].startswith(f"arn:aws:iam::{ACCOUNT_ID}:")
               for x in settings["settings"])


def test_list_account_settings_effective_pagination(ecs):
    seen, pages, token = [], 0, None
    while True:
        page = ecs.list_account_settings(effectiveSettings=True, maxResults=2,
                                         **({"nextToken": token} if token else {}))
        pages += 1
        assert len(page["settings"]) <= 2
        seen.extend(x["name"] for x in page["settings"])
        token = page.get("nextToken")
        if not token:
            break
        assert pages < 50, "pagination does not end"
    assert len(seen) == len(set(seen)), seen
    assert set(CLASSIC_NAMES) <= set(seen)
    assert pages >= 3


def test_list_account_settings_filter_by_name_and_value(ecs, role_arn):
    ecs.put_account_setting(name="serviceLongArnFormat", value="enabled", principalArn=role_arn)
    ecs.put_account_setting(name="taskLongArnFormat", value="disabled", principalArn=role_arn)
    by_name = ecs.list_account_settings(principalArn=role_arn, name="taskLongArnFormat")["settings"]
    assert [x["name"] for x in by_name] == ["taskLongArnFormat"]
    by_value = ecs.list_account_settings(principalArn=role_arn, name="serviceLongArnFormat",
                                         value="enabled")["settings"]
    assert [x["name"] for x in by_value] == ["serviceLongArnFormat"]
    none = ecs.list_account_settings(principalArn=role_arn, name="serviceLongArnFormat",
                                     value="disabled")["settings"]
    assert none == []


def test_effective_setting_falls_back_to_default(ecs, role_arn):
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    try:
        eff = ecs.list_account_settings(principalArn=role_arn, name="containerInsights",
                                        effectiveSettings=True)["settings"]
        assert [(x["name"], x["value"]) for x in eff] == [("containerInsights", "enabled")]
        # The principal's own setting wins over the account default.
        ecs.put_account_setting(name="containerInsights", value="disabled", principalArn=role_arn)
        eff = ecs.list_account_settings(principalArn=role_arn, name="containerInsights",
                                        effectiveSettings=True)["settings"]
        assert [(x["name"], x["value"], x["principalArn"]) for x in eff] == [
            ("containerInsights", "disabled", role_arn)]
    finally:
        ecs.put_account_setting_default(name="containerInsights", value="disabled")


def test_container_insights_default_applies_to_new_clusters(ecs, new_name):
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    try:
        c = ecs.create_cluster(clusterName=new_name("ci"))["cluster"]
        assert {s["name"]: s["value"] for s in c["settings"]} == {"containerInsights": "enabled"}
    finally:
        ecs.put_account_setting_default(name="containerInsights", value="disabled")
    c = ecs.create_cluster(clusterName=new_name("ci"))["cluster"]
    assert {s["name"]: s["value"] for s in c["settings"]} == {"containerInsights": "disabled"}


def test_delete_account_setting(ecs, role_arn):
    ecs.put_account_setting(name="serviceLongArnFormat", value="enabled", principalArn=role_arn)
    s = ecs.delete_account_setting(name="serviceLongArnFormat", principalArn=role_arn)["setting"]
    assert s["name"] == "serviceLongArnFormat"
    assert s["principalArn"] == role_arn
    assert ecs.list_account_settings(principalArn=role_arn, name="serviceLongArnFormat")[
        "settings"] == []


@pytest.mark.parametrize("name,value", [("serviceLongArnFormat", "maybe"),
                                        ("containerInsights", "sometimes")])
def test_put_account_setting_invalid_value(ecs, role_arn, name, value):
    with pytest.raises(ClientError) as e:
        ecs.put_account_setting(name=name, value=value, principalArn=role_arn)
    assert_client_error(e, "InvalidParameterException")


def test_newer_setting_names_with_current_model(ecs_current):
    # fargateTaskRetirementWaitPeriod (0, 7 or 14 days) is newer than Debian's botocore model.
    d = ecs_current.put_account_setting_default(name="fargateTaskRetirementWaitPeriod",
                                                value="14")["setting"]
    try:
        assert (d["name"], d["value"], d["principalArn"]) == (
            "fargateTaskRetirementWaitPeriod", "14", ROOT)
        eff = ecs_current.list_account_settings(name="fargateTaskRetirementWaitPeriod",
                                                effectiveSettings=True)["settings"]
        assert [x["value"] for x in eff] == ["14"]
        with pytest.raises(ClientError) as e:
            ecs_current.put_account_setting_default(name="fargateTaskRetirementWaitPeriod",
                                                    value="5")
        assert_client_error(e, "InvalidParameterException")
    finally:
        ecs_current.put_account_setting_default(name="fargateTaskRetirementWaitPeriod", value="7")

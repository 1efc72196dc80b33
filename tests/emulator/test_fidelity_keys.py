"""Usage plans, API keys and import_api_keys on the emulator behave as on AWS (reference §5, §7),
and on plain moto 5.2.5 they do not (findings §1.5; the plain-moto halves pin moto's behaviour).

Key values in these tests are test data; the emulator's warnings and errors must never repeat
them (they name the row and the key's name), which the import tests check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from apigwctl.aws.emulator.server import serving
from tests.emulator.test_fidelity_stages import deployed, error_of

Ctx = Any
VALUE_A = "Zk3u9QpL0aXr7WmT2cVb8YsN"
VALUE_B = "Hf6Gd2Ks9Lp4Mn7Qw1Er5Ty8"


def plan_with_stage(client: Any, name: str = "gold", **fields: Any) -> tuple[str, str]:
    """A deployed API and a usage plan on its ``prod`` stage; returns (api id, plan id)."""
    api, _ = deployed(client)
    plan = client.create_usage_plan(name=name, apiStages=[{"apiId": api, "stage": "prod"}],
                                    **fields)["id"]
    return api, str(plan)


def update(client: Any, plan: str, *ops: tuple[str, str, str | None]) -> dict[str, Any]:
    operations = [{"op": op, "path": path, **({} if value is None else {"value": value})}
                  for op, path, value in ops]
    return dict(client.update_usage_plan(usagePlanId=plan, patchOperations=operations))


def keys_by_name(client: Any) -> dict[str, dict[str, Any]]:
    return {k["name"]: k for k in client.get_api_keys(includeValues=True, limit=500)["items"]}


# --- import_api_keys ------------------------------------------------------------------------

def test_import_api_keys_creates_keys_and_plan_keys_5(emu: Ctx, plain: Ctx) -> None:
    with plain() as client, pytest.raises(NotImplementedError, match="import_api_keys"):
        client.import_api_keys(body=b"name,key\nn,k", format="csv")
    with emu() as client:
        _, gold = plan_with_stage(client, "gold")
        api2, _ = deployed(client)
        silver = client.create_usage_plan(
            name="silver", apiStages=[{"apiId": api2, "stage": "prod"}])["id"]
        body = (f"name,key,enabled,usageplanids,description\n"
                f"partner-acme,{VALUE_A},true,\"{gold},{silver}\",ACME production\n"
                f"partner-bolt,{VALUE_B},false,{gold},\n")
        answer = client.import_api_keys(body=body.encode(), format="csv", failOnWarnings=True)
        keys = keys_by_name(client)
        gold_keys = client.get_usage_plan_keys(usagePlanId=gold)["items"]
        silver_keys = client.get_usage_plan_keys(usagePlanId=silver)["items"]
    assert "warnings" not in answer
    assert answer["ids"] == [keys["partner-acme"]["id"], keys["partner-bolt"]["id"]]
    acme, bolt = keys["partner-acme"], keys["partner-bolt"]
    assert (acme["value"], acme["enabled"], acme["description"]) == (
        VALUE_A, True, "ACME production")
    assert (bolt["value"], bolt["enabled"], bolt["description"]) == (VALUE_B, False, "")
    assert sorted(k["name"] for k in gold_keys) == ["partner-acme", "partner-bolt"]
    assert [(k["name"], k["type"]) for k in silver_keys] == [("partner-acme", "API_KEY")]


def test_key_file_columns_any_order_any_case_padded_single_quotes_5(emu: Ctx) -> None:
    """The guide's own examples: spaces after commas, ``tRuE``, an unknown column, plan ids in
    single quotes, Enabled defaulting to true when empty."""
    with emu() as client:
        _, gold = plan_with_stage(client, "gold")
        api2, _ = deployed(client)
        silver = client.create_usage_plan(
            name="silver", apiStages=[{"apiId": api2, "stage": "prod"}])["id"]
        body = (f"Key , NAME,  Notes, Enabled, UsagePlanIds\n"
                f"{VALUE_A}, importedKey_1, ignored, tRuE, '{gold},{silver}'\n"
                f"\n"
                f"\"{VALUE_B}\", \"said \"\"hi\"\"\",, , \n")
        answer = client.import_api_keys(body=body.encode(), format="csv")
        keys = keys_by_name(client)
        plans = {p["name"] for p in client.get_usage_plans(keyId=answer["ids"][0])["items"]}
    assert len(answer["ids"]) == 2 and "warnings" not in answer
    assert keys["importedKey_1"]["enabled"] is True and plans == {"gold", "silver"}
    assert keys['said "hi"']["value"] == VALUE_B and keys['said "hi"']["enabled"] is True


def test_reimporting_a_key_value_overwrites_that_key_5(emu: Ctx) -> None:
    with emu() as client:
        first = client.import_api_keys(body=f"name,key\nold-name,{VALUE_A}\n".encode(),
                                       format="csv")
        second = client.import_api_keys(
            body=f"name,key,description,enabled\nnew-name,{VALUE_A},again,false\n".encode(),
            format="csv")
        keys = client.get_api_keys(includeValues=True)["items"]
    assert first["ids"] == second["ids"]
    assert [(k["name"], k["description"], k["enabled"]) for k in keys] == [
        ("new-name", "again", False)]


def test_rows_that_break_a_rule_are_skipped_with_warnings_5(emu: Ctx) -> None:
    with emu() as client:
        _, gold = plan_with_stage(client, "gold")
        body = (f"name,key,enabled,usageplanids\n"
                f"short,tooShortAKey,true,\n"
                f"nowhere,{VALUE_A},true,nosuchplan\n"
                f"maybe,{VALUE_B},perhaps,\n"
                f"good,{VALUE_B}x,true,{gold}\n")
        answer = client.import_api_keys(body=body.encode(), format="csv")
        names = sorted(keys_by_name(client))
    assert names == ["good"] and len(answer["ids"]) == 1
    assert answer["warnings"] == [
        "Row 1 ('short'): the Key must be between 20 and 128 characters",
        "Row 2 ('nowhere'): Invalid Usage Plan ID specified: nosuchplan",
        "Row 3 ('maybe'): Enabled must be true or false"]
    assert not any(secret in json.dumps(answer) for secret in ("tooShortAKey", VALUE_A))


def test_fail_on_warnings_rolls_the_whole_import_back_5(emu: Ctx) -> None:
    with emu() as client:
        _, gold = plan_with_stage(client, "gold")
        body = (f"name,key,usageplanids\nfine,{VALUE_A},{gold}\n"
                f"bad,{VALUE_B},nosuchplan\n")
        error = error_of(lambda: client.import_api_keys(body=body.encode(), format="csv",
                                                        failOnWarnings=True))
        assert client.get_api_keys()["items"] == []
        assert client.get_usage_plan_keys(usagePlanId=gold)["items"] == []
    assert error["Code"] == "BadRequestException"
    assert error["Message"].startswith("Warnings found during import:")
    assert VALUE_A not in error["Message"] and VALUE_B not in error["Message"]


@pytest.mark.parametrize(("body", "message"), [
    (b"name,description\nn,d\n", "must name the Name and Key columns"),
    (b"", "must name the Name and Key columns"),
    (b"name,key\n\"unterminated," + VALUE_A.encode() + b"\n", "not terminated"),
])
def test_a_file_that_cannot_be_read_is_refused(emu: Ctx, body: bytes, message: str) -> None:
    with emu() as client:
        error = error_of(lambda: client.import_api_keys(body=body, format="csv"))
    assert error["Code"] == "BadRequestException" and message in error["Message"]
    assert VALUE_A not in error["Message"]


def test_import_api_keys_over_http(tmp_path: Path) -> None:
    with serving(tmp_path, port=0, save_every=3600) as url:
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("apigateway", endpoint_url=url,
                                             config=Config(retries={"max_attempts": 1}))
        answer = client.import_api_keys(body=f"Name,Key\nserved,{VALUE_A}\n".encode(),
                                        format="csv", failOnWarnings=True)
        key = client.get_api_key(apiKey=answer["ids"][0], includeValue=True)
    assert (key["name"], key["value"], key["enabled"]) == ("served", VALUE_A, True)


def test_one_plan_per_api_stage_for_a_key_5(emu: Ctx, plain: Ctx) -> None:
    """A key may be in several plans but only one per API stage (guide-2023)."""
    def two_plans_one_stage(client: Any) -> tuple[str, str, str]:
        api, gold = plan_with_stage(client, "gold")
        silver = client.create_usage_plan(name="silver",
                                          apiStages=[{"apiId": api, "stage": "prod"}])["id"]
        key = client.create_api_key(name="k", value=VALUE_A, enabled=True)["id"]
        client.create_usage_plan_key(usagePlanId=gold, keyId=key, keyType="API_KEY")
        return gold, silver, key

    with plain() as client:
        _, silver, key = two_plans_one_stage(client)
        assert client.create_usage_plan_key(usagePlanId=silver, keyId=key, keyType="API_KEY")
    with emu() as client:
        _, silver, key = two_plans_one_stage(client)
        error = error_of(lambda: client.create_usage_plan_key(usagePlanId=silver, keyId=key,
                                                              keyType="API_KEY"))
        warned = client.import_api_keys(body=f"name,key,usageplanids\nk,{VALUE_A},{silver}\n"
                                        .encode(), format="csv")
    assert error["Code"] == "ConflictException"
    assert "cannot reference multiple Usage Plans with the same API Stage" in error["Message"]
    assert "cannot reference multiple Usage Plans" in warned["warnings"][0]


# --- usage plans ----------------------------------------------------------------------------

def test_create_usage_plan_with_method_throttles_reads_back_typed_7(emu: Ctx) -> None:
    with emu() as client:
        api, _ = deployed(client)
        plan = client.create_usage_plan(
            name="gold", description="Paying partners", tags={"tier": "gold"},
            throttle={"rateLimit": 100, "burstLimit": 200}, quota={"limit": 1000, "period": "DAY"},
            apiStages=[{"apiId": api, "stage": "prod",
                        "throttle": {"/pets/GET": {"rateLimit": 10, "burstLimit": 20}}}])
        read = client.get_usage_plan(usagePlanId=plan["id"])
    for answer in (plan, read):
        assert answer["throttle"] == {"rateLimit": 100.0, "burstLimit": 200}
        assert answer["quota"] == {"limit": 1000, "offset": 0, "period": "DAY"}
        assert answer["apiStages"] == [{"apiId": api, "stage": "prod", "throttle": {
            "/pets/GET": {"rateLimit": 10.0, "burstLimit": 20}}}]
        assert (answer["description"], answer["tags"]) == ("Paying partners", {"tier": "gold"})


def test_a_plan_names_only_stages_that_exist_7(emu: Ctx, plain: Ctx) -> None:
    stages = [{"apiId": "nope", "stage": "prod"}]
    with plain() as client:
        assert client.create_usage_plan(name="gold", apiStages=stages)["id"]
    with emu() as client:
        error = error_of(lambda: client.create_usage_plan(name="gold", apiStages=stages))
    assert error["Message"] == ("Invalid API Stage {api: nope, stage: prod} specified for "
                                "usageplan gold")


def test_one_update_usage_plan_with_every_path_7(emu: Ctx, plain: Ctx) -> None:
    def ops(api: str, api2: str) -> tuple[tuple[str, str, str | None], ...]:
        return (
            ("replace", "/name", "platinum"), ("replace", "/description", "Top tier"),
            ("replace", "/throttle/rateLimit", "75.5"), ("replace", "/throttle/burstLimit", "150"),
            ("add", "/quota/limit", "5000"), ("add", "/quota/period", "WEEK"),
            ("replace", "/quota/offset", "10"), ("add", "/apiStages", f"{api2}:prod"),
            ("replace", f"/apiStages/{api}:prod/throttle//pets/GET/rateLimit", "5"),
            ("replace", f"/apiStages/{api}:prod/throttle/~1pets/GET/burstLimit", "9"),
            ("replace", f"/apiStages/{api2}:prod/throttle",
             json.dumps({"/pets/POST": {"rateLimit": 1.5, "burstLimit": 3}})))

    with plain() as client:
        api, plan = plan_with_stage(client)
        api2, _ = deployed(client)
        with pytest.raises(ValueError, match=r"75\.5"):
            update(client, plan, *ops(api, api2))
    with emu() as client:
        api, plan = plan_with_stage(client)
        api2, _ = deployed(client)
        answer = update(client, plan, *ops(api, api2))
        read = client.get_usage_plan(usagePlanId=plan)
    assert answer["apiStages"] == read["apiStages"]
    assert (read["name"], read["description"]) == ("platinum", "Top tier")
    assert read["throttle"] == {"rateLimit": 75.5, "burstLimit": 150}
    assert read["quota"] == {"limit": 5000, "offset": 10, "period": "WEEK"}
    assert read["apiStages"] == [
        {"apiId": api, "stage": "prod", "throttle": {"/pets/GET": {"rateLimit": 5.0,
                                                                   "burstLimit": 9}}},
        {"apiId": api2, "stage": "prod", "throttle": {"/pets/POST": {"rateLimit": 1.5,
                                                                     "burstLimit": 3}}}]


def test_removals_in_one_update_usage_plan_7(emu: Ctx) -> None:
    with emu() as client:
        api, plan = plan_with_stage(client, throttle={"rateLimit": 1, "burstLimit": 1},
                                    quota={"limit": 1, "period": "DAY"})
        update(client, plan, ("replace", f"/apiStages/{api}:prod/throttle",
                              json.dumps({"/pets/GET": {"rateLimit": 1, "burstLimit": 1},
                                          "//GET": {"rateLimit": 2, "burstLimit": 2}})))
        read = update(client, plan, ("remove", f"/apiStages/{api}:prod/throttle/~1pets/GET", ""),
                      ("remove", "/throttle", None), ("remove", "/quota", None))
        assert read["apiStages"][0]["throttle"] == {"//GET": {"rateLimit": 2.0, "burstLimit": 2}}
        assert "throttle" not in read and "quota" not in read
        read = update(client, plan, ("remove", f"/apiStages/{api}:prod/throttle", ""),
                      ("remove", "/apiStages", f"{api}:prod"))
    assert read["apiStages"] == []


def test_update_usage_plan_applies_all_operations_or_none_7(emu: Ctx) -> None:
    with emu() as client:
        _, plan = plan_with_stage(client)
        error = error_of(lambda: update(client, plan, ("replace", "/name", "changed"),
                                        ("replace", "/quota/period", "YEAR")))
        assert client.get_usage_plan(usagePlanId=plan)["name"] == "gold"
    assert "Must be one of: [DAY, WEEK, MONTH]" in error["Message"]


def test_paths_and_ops_the_table_lacks_are_refused_7(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        api, plan = plan_with_stage(client)
        update(client, plan, ("remove", f"/apiStages/{api}:prod", None))  # silently ignored
    with emu() as client:
        api, plan = plan_with_stage(client)
        wrong_path = error_of(lambda: update(client, plan, ("remove", f"/apiStages/{api}:prod",
                                                            None)))
        wrong_stage = error_of(lambda: update(client, plan, ("remove", "/apiStages", "x:prod")))
        wrong_op = error_of(lambda: update(client, plan, ("add", "/name", "x")))
    # AWS's words (boto/boto3#2629), double space included
    assert wrong_path["Message"] == (
        f"Invalid patch path  '/apiStages/{api}:prod' specified for op 'remove'. Must be one "
        "of: [/apiStages, /quota, /throttle, /productCode, /apiStages/<apidId:stageName>/"
        "throttle/<resourcePath>/<httpMethod>, /apiStages/<apidId:stageName>/throttle]")
    assert wrong_stage["Message"] == "Invalid API Stage specified"
    assert wrong_op["Message"].startswith("Invalid patch path  '/name' specified for op 'add'.")


def test_a_plan_with_stages_cannot_be_deleted_7(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        _, plan = plan_with_stage(client)
        client.delete_usage_plan(usagePlanId=plan)
    with emu() as client:
        api, plan = plan_with_stage(client)
        error = error_of(lambda: client.delete_usage_plan(usagePlanId=plan))
        update(client, plan, ("remove", "/apiStages", f"{api}:prod"))
        client.delete_usage_plan(usagePlanId=plan)
        missing = error_of(lambda: client.get_usage_plan(usagePlanId=plan))
    assert error["Message"] == (f"Cannot delete Usage Plan {plan} because there are API Stages "
                                f"associated with it, including {api}:prod")
    assert missing["Code"] == "NotFoundException"


# --- usage plan keys and API keys -----------------------------------------------------------

def test_usage_plan_keys_check_plan_key_and_duplicates_5(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        _, plan = plan_with_stage(client)
        key = client.create_api_key(name="k", value=VALUE_A)["id"]
        client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        client.create_usage_plan_key(usagePlanId="nope", keyId=key, keyType="API_KEY")
        with pytest.raises(KeyError):
            client.delete_usage_plan_key(usagePlanId="never", keyId=key)
    with emu() as client:
        _, plan = plan_with_stage(client)
        key = client.create_api_key(name="k", value=VALUE_A)["id"]
        made = client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        twice = error_of(lambda: client.create_usage_plan_key(usagePlanId=plan, keyId=key,
                                                              keyType="API_KEY"))
        no_plan = error_of(lambda: client.create_usage_plan_key(usagePlanId="nope", keyId=key,
                                                                keyType="API_KEY"))
        client.delete_usage_plan_key(usagePlanId=plan, keyId=key)
        gone = error_of(lambda: client.delete_usage_plan_key(usagePlanId=plan, keyId=key))
    assert (made["id"], made["type"], made["name"]) == (key, "API_KEY", "k")
    assert twice["Code"] == "ConflictException"
    assert no_plan == {"Code": "NotFoundException", "Message": "Invalid Usage Plan ID specified"}
    assert gone == {"Code": "NotFoundException", "Message": "Invalid API Key identifier specified"}


def test_deleting_a_key_takes_it_out_of_its_plans(emu: Ctx, plain: Ctx) -> None:
    def plan_keys_after_delete(client: Any) -> list[Any]:
        _, plan = plan_with_stage(client)
        key = client.create_api_key(name="k", value=VALUE_A)["id"]
        client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        client.delete_api_key(apiKey=key)
        return list(client.get_usage_plan_keys(usagePlanId=plan)["items"])

    with plain() as client:
        assert len(plan_keys_after_delete(client)) == 1
    with emu() as client:
        assert plan_keys_after_delete(client) == []


def test_plan_keys_read_the_key_as_it_is_now(emu: Ctx, plain: Ctx) -> None:
    def name_after_rename(client: Any) -> str:
        _, plan = plan_with_stage(client)
        key = client.create_api_key(name="before", value=VALUE_A)["id"]
        client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
        client.update_api_key(apiKey=key, patchOperations=[
            {"op": "replace", "path": "/name", "value": "after"}])
        return str(client.get_usage_plan_keys(usagePlanId=plan)["items"][0]["name"])

    with plain() as client:
        assert name_after_rename(client) == "before"
    with emu() as client:
        assert name_after_rename(client) == "after"


def test_lists_page_with_limit_and_position(emu: Ctx, plain: Ctx) -> None:
    """limit (default 25, at most 500) and position, as GetApiKeys/GetUsagePlans/
    GetUsagePlanKeys document them; moto answered everything in one page (findings §1.5)."""
    def fill(client: Any) -> str:
        _, plan = plan_with_stage(client)
        for n in range(7):
            key = client.create_api_key(name=f"k{n}", value=f"{VALUE_A}{n}", enabled=True)["id"]
            client.create_usage_plan_key(usagePlanId=plan, keyId=key, keyType="API_KEY")
            client.create_usage_plan(name=f"p{n}")
        return plan

    with plain() as client:
        fill(client)
        wrong = client.get_api_keys(limit=3)
    assert len(wrong["items"]) == 7 and "position" not in wrong
    with emu() as client:
        plan = fill(client)
        first = client.get_api_keys(limit=3, includeValues=True)
        second = client.get_api_keys(limit=3, position=first["position"])
        paged = {
            op: [item["id"] for page in client.get_paginator(op).paginate(
                PaginationConfig={"PageSize": 2}, **kwargs) for item in page["items"]]
            for op, kwargs in (("get_api_keys", {}), ("get_usage_plans", {}),
                               ("get_usage_plan_keys", {"usagePlanId": plan}))}
        whole = {"get_api_keys": client.get_api_keys()["items"],
                 "get_usage_plans": client.get_usage_plans()["items"],
                 "get_usage_plan_keys": client.get_usage_plan_keys(usagePlanId=plan)["items"]}
    assert len(first["items"]) == 3 and "value" in first["items"][0]
    assert "value" not in second["items"][0]
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in second["items"])
    assert {op: len(ids) for op, ids in paged.items()} == {
        "get_api_keys": 7, "get_usage_plans": 8, "get_usage_plan_keys": 7}
    assert all(sorted(ids) == sorted(i["id"] for i in whole[op]) for op, ids in paged.items())


def test_get_api_keys_filters_by_name_prefix_and_customer(emu: Ctx) -> None:
    with emu() as client:
        client.create_api_key(name="acme-prod", value=VALUE_A, customerId="acme")
        client.create_api_key(name="acme-test", value=VALUE_B)
        client.create_api_key(name="bolt", value=f"{VALUE_A}x", customerId="acme")
        by_name = [k["name"] for k in client.get_api_keys(nameQuery="acme")["items"]]
        by_customer = [k["name"] for k in client.get_api_keys(customerId="acme")["items"]]
    assert sorted(by_name) == ["acme-prod", "acme-test"]
    assert sorted(by_customer) == ["acme-prod", "bolt"]


def test_missing_usage_plan_is_404(emu: Ctx) -> None:
    with emu() as client, pytest.raises(ClientError) as caught:
        client.get_usage_plan_keys(usagePlanId="nope")
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

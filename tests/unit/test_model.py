"""The model: equality ignores ids, maps render as dicts, addresses are stable."""

from __future__ import annotations

from apigwctl.model import ApiState, GatewayState, Method, Resource, RestApi, Stage


def _state(ids: dict[str, str]) -> ApiState:
    return ApiState(api=RestApi("shop"), resources=(Resource("/"), Resource("/a")),
                    methods=(Method("/a", "GET"),),
                    stages=(Stage("prod", variables=(("k", "v"),)),), ids=ids)


def test_ids_take_no_part_in_equality() -> None:
    assert _state({"api:shop": "abc"}) == _state({})


def test_addresses() -> None:
    assert sorted(_state({}).items()) == [
        "api:shop", "method:shop:/a:GET", "resource:shop:/", "resource:shop:/a",
        "stage:shop:prod"]


def test_to_dict_renders_maps_as_dicts_even_when_empty() -> None:
    out = GatewayState((_state({}),)).to_dict()
    assert out["stage:shop:prod"]["variables"] == {"k": "v"}
    assert out["api:shop"]["tags"] == {}
    assert out["method:shop:/a:GET"]["method_responses"] == []

"""compile_api on the two example specs: the shape API Gateway stores after import."""

from __future__ import annotations

from pathlib import Path

from apigwctl.compile import ApiSettings, StageSettings, compile_api
from apigwctl.model import ApiState, Method
from apigwctl.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]


def _compile(rel: str, **settings: object) -> ApiState:
    doc = load_spec(ROOT / rel).documents[0]
    return compile_api(doc, ApiSettings("shop", **settings),  # type: ignore[arg-type]
                       (StageSettings("prod", "live", {"backendHost": "h"}),))


def _method(state: ApiState, path: str, verb: str) -> Method:
    return next(m for m in state.methods if (m.path, m.http_method) == (path, verb))


def test_petstore_api_settings() -> None:
    api = _compile("specs/petstore/openapi.yaml", tags={"team": "a"}).api
    assert api.description == "Example pet store API deployed with apigwctl."
    assert api.endpoint_types == ("REGIONAL",)
    assert api.binary_media_types == ("image/jpeg", "image/png")
    assert (api.minimum_compression_size, api.api_key_source) == (1024, "HEADER")
    assert api.tags == (("team", "a"),)


def test_deployment_file_description_wins() -> None:
    assert _compile("specs/petstore/openapi.yaml", description="mine").api.description == "mine"


def test_petstore_tree_and_methods() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    assert [r.path for r in s.resources] == ["/", "/health", "/pets", "/pets/{petId}"]
    assert [(m.path, m.http_method) for m in s.methods] == [
        ("/health", "GET"), ("/pets", "GET"), ("/pets", "POST"),
        ("/pets/{petId}", "DELETE"), ("/pets/{petId}", "GET")]


def test_petstore_security_validators_and_parameters() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    get_pet = _method(s, "/pets/{petId}", "GET")
    assert (get_pet.authorization_type, get_pet.authorizer, get_pet.api_key_required) == (
        "CUSTOM", "tokenAuth", True)
    assert get_pet.request_parameters == (("method.request.path.petId", True),)
    assert get_pet.request_validator == "params-only"
    create = _method(s, "/pets", "POST")
    assert (create.authorization_type, create.authorizer) == ("COGNITO_USER_POOLS", "cognito")
    assert create.request_validator == "all"
    assert create.request_models == (("application/json", "NewPet"),)
    listing = _method(s, "/pets", "GET")
    assert listing.request_parameters == (("method.request.header.X-Tenant", True),
                                          ("method.request.querystring.limit", False))
    assert [r.status_code for r in get_pet.method_responses] == ["200", "404"]


def test_petstore_integrations() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    health = _method(s, "/health", "GET").integration
    assert health is not None
    assert (health.type, health.uri, health.timeout_in_millis) == ("MOCK", None, 29000)
    assert health.cache_namespace == "/health"
    get_pet = _method(s, "/pets/{petId}", "GET").integration
    assert get_pet is not None
    assert get_pet.passthrough_behavior == "WHEN_NO_TEMPLATES"
    assert [(r.status_code, r.selection_pattern) for r in get_pet.responses] == [
        ("200", None), ("404", "4\\d{2}")]
    listing = _method(s, "/pets", "GET").integration
    assert listing is not None
    assert (listing.type, listing.timeout_in_millis) == ("HTTP_PROXY", 10000)
    assert listing.cache_key_parameters == ("method.request.querystring.limit",)


def test_petstore_authorizers_gateway_responses_models_stages() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    token = next(a for a in s.authorizers if a.name == "tokenAuth")
    assert (token.type, token.identity_source, token.result_ttl_in_seconds) == (
        "TOKEN", "method.request.header.Authorization", 300)
    cognito = next(a for a in s.authorizers if a.name == "cognito")
    assert cognito.type == "COGNITO_USER_POOLS" and len(cognito.provider_arns) == 1
    assert [g.response_type for g in s.gateway_responses] == [
        "DEFAULT_4XX", "THROTTLED", "UNAUTHORIZED"]
    assert next(g for g in s.gateway_responses if g.response_type == "THROTTLED"
                ).status_code == "429"
    assert [m.name for m in s.models] == ["Error", "Health", "NewPet", "Pet", "Pets"]
    pets = next(m for m in s.models if m.name == "Pets")
    assert pets.schema == '{"items":{"$ref":"#/models/Pet"},"type":"array"}'
    assert [(v.name, v.validate_request_body) for v in s.validators] == [
        ("all", True), ("params-only", False)]
    assert s.stages[0].variables == (("backendHost", "h"),)


def test_swagger2_example() -> None:
    s = _compile("specs/petstore-swagger2/swagger.json")
    assert [r.path for r in s.resources] == ["/", "/pets", "/pets/{petId}"]
    get_pet = _method(s, "/pets/{petId}", "GET")
    assert (get_pet.authorization_type, get_pet.authorizer) == ("AWS_IAM", None)
    listing = _method(s, "/pets", "GET")
    assert listing.api_key_required and listing.request_validator == "params-only"
    assert listing.method_responses[0].response_models == (("application/json", "Pets"),)
    assert s.authorizers == ()
    assert [m.name for m in s.models] == ["Pet", "Pets"]

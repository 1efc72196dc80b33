"""breaking_changes: one before/after spec pair per check, compiled as the plan compiles them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from apigwctl.breaking import Finding, Report, breaking_changes, render_report
from apigwctl.compile import ApiSettings, compile_api
from apigwctl.model import ApiState
from apigwctl.spec.loader import load_spec

SCHEMES = """\
api_key: {type: apiKey, name: x-api-key, in: header}
iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
cognito:
  type: apiKey
  name: Authorization
  in: header
  x-amazon-apigateway-authtype: cognito_user_pools
  x-amazon-apigateway-authorizer:
    type: cognito_user_pools
    providerARNs: [arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_A]
token:
  type: apiKey
  name: Authorization
  in: header
  x-amazon-apigateway-authtype: custom
  x-amazon-apigateway-authorizer:
    type: token
    authorizerUri: arn:aws:lambda:us-east-1:123456789012:function:auth
tokenX:
  type: apiKey
  name: X-Token
  in: header
  x-amazon-apigateway-authtype: custom
  x-amazon-apigateway-authorizer:
    type: token
    authorizerUri: arn:aws:lambda:us-east-1:123456789012:function:auth
request:
  type: apiKey
  name: Authorization
  in: header
  x-amazon-apigateway-authtype: custom
  x-amazon-apigateway-authorizer:
    type: request
    identitySource: method.request.header.Authorization
    authorizerUri: arn:aws:lambda:us-east-1:123456789012:function:auth
"""

GET_PETS = """\
/pets:
  get:
    responses: {"200": {description: ok}}
"""


def _indent(block: str, by: int) -> str:
    return textwrap.indent(textwrap.dedent(block), " " * by)


def _state(tmp_path: Path, paths: str, schemas: str = "", name: str = "spec") -> ApiState:
    text = ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n" + _indent(paths, 2)
            + "components:\n  securitySchemes:\n" + _indent(SCHEMES, 4)
            + ("  schemas:\n" + _indent(schemas, 4) if schemas else ""))
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_spec(path)
    assert loaded.documents, loaded.diagnostics
    return compile_api(loaded.documents[0], ApiSettings("api"))


def _report(tmp_path: Path, before: str, after: str, before_schemas: str = "",
            after_schemas: str = "") -> Report:
    return breaking_changes(_state(tmp_path, before, before_schemas, "before"),
                            _state(tmp_path, after, after_schemas, "after"))


def _kinds(findings: tuple[Finding, ...]) -> list[tuple[str, str]]:
    return [(f.kind, f.message) for f in findings]


def test_identical_specs_report_nothing(tmp_path: Path) -> None:
    report = _report(tmp_path, GET_PETS, GET_PETS)
    assert report == Report()
    assert not report.has_breaking


# -- routes and methods -----------------------------------------------------------------------


def test_removed_route_is_one_finding(tmp_path: Path) -> None:
    before = GET_PETS + """\
/pets/{id}:
  get: {responses: {"200": {description: ok}}}
  delete: {responses: {"204": {description: gone}}}
"""
    report = _report(tmp_path, before, GET_PETS)
    assert [(f.kind, f.address, f.message) for f in report.breaking] == [
        ("route-removed", "resource:api:/pets/{id}",
         "route /pets/{id} was removed (methods DELETE, GET)")]
    assert report.additions == ()


def test_removed_method_on_a_kept_route(tmp_path: Path) -> None:
    before = GET_PETS + "  post: {responses: {\"201\": {description: made}}}\n"
    report = _report(tmp_path, before, GET_PETS)
    assert [(f.kind, f.address) for f in report.breaking] == [
        ("method-removed", "method:api:/pets:POST")]


def test_any_method_serves_the_removed_verbs(tmp_path: Path) -> None:
    after = """\
/pets:
  x-amazon-apigateway-any-method:
    responses: {"200": {description: ok}}
"""
    assert _report(tmp_path, GET_PETS, after).breaking == ()
    # ... but ANY replaced by GET drops the other verbs
    assert _kinds(_report(tmp_path, after, GET_PETS).breaking) == [
        ("method-removed", "ANY /pets was removed")]


def test_new_routes_and_methods_are_additions(tmp_path: Path) -> None:
    after = GET_PETS + """\
  post: {responses: {"201": {description: made}}}
/owners:
  get: {responses: {"200": {description: ok}}}
"""
    report = _report(tmp_path, GET_PETS, after)
    assert report.breaking == ()
    assert _kinds(report.additions) == [
        ("route-added", "route /owners was added (methods GET)"),
        ("method-added", "POST /pets was added")]


# -- parameters -------------------------------------------------------------------------------


def _with_params(params: str) -> str:
    return GET_PETS + "    parameters:\n" + _indent(params, 6)


def test_new_required_query_parameter_and_header(tmp_path: Path) -> None:
    after = _with_params("""\
- {name: limit, in: query, required: true, schema: {type: integer}}
- {name: X-Tenant, in: header, required: true, schema: {type: string}}
""")
    assert _kinds(_report(tmp_path, GET_PETS, after).breaking) == [
        ("parameter-required-added", "GET /pets: new required header `X-Tenant`"),
        ("parameter-required-added", "GET /pets: new required query parameter `limit`")]


def test_parameter_that_became_required(tmp_path: Path) -> None:
    before = _with_params("- {name: limit, in: query, schema: {type: integer}}\n")
    after = _with_params("- {name: limit, in: query, required: true, schema: {type: integer}}\n")
    assert _kinds(_report(tmp_path, before, after).breaking) == [
        ("parameter-now-required", "GET /pets: query parameter `limit` is now required")]
    assert _report(tmp_path, after, before) == Report()  # relaxing breaks nothing


def test_new_optional_parameter_is_an_addition(tmp_path: Path) -> None:
    after = _with_params("- {name: cursor, in: query, schema: {type: string}}\n")
    report = _report(tmp_path, GET_PETS, after)
    assert report.breaking == ()
    assert _kinds(report.additions) == [
        ("parameter-added", "GET /pets: new optional query parameter `cursor`")]


# -- request bodies ---------------------------------------------------------------------------

POST_PET = """\
/pets:
  post:
    requestBody:
      content:
        application/json: {schema: {$ref: "#/components/schemas/NewPet"}}
    responses: {"201": {description: made}}
"""

NEW_PET = """\
NewPet:
  type: object
  required: [name]
  properties:
    name: {type: string, maxLength: 64}
    tag: {type: string}
    kind: {type: string, enum: [cat, dog, bird]}
    age: {type: integer}
"""


def _body(tmp_path: Path, after_schemas: str) -> Report:
    return _report(tmp_path, POST_PET, POST_PET, NEW_PET, after_schemas)


def test_request_new_required_property(tmp_path: Path) -> None:
    after = NEW_PET.replace("[name]", "[name, owner, tag]") + "    owner: {type: string}\n"
    report = _body(tmp_path, after)
    assert _kinds(report.breaking) == [
        ("request-field-now-required",
         "POST /pets: request body (application/json) field `tag` is now required"),
        ("request-field-required-added",
         "POST /pets: request body (application/json) field `owner` is new and required")]
    assert report.additions == ()


def test_request_removed_property(tmp_path: Path) -> None:
    after = NEW_PET.replace("    tag: {type: string}\n", "")
    assert _kinds(_body(tmp_path, after).breaking) == [
        ("request-field-removed",
         "POST /pets: request body (application/json) field `tag` was removed")]


def test_request_type_change(tmp_path: Path) -> None:
    narrowed = NEW_PET.replace("age: {type: integer}", "age: {type: string}")
    assert _kinds(_body(tmp_path, narrowed).breaking) == [
        ("request-type-changed", "POST /pets: request body (application/json) field `age` "
         "type narrowed from integer to string")]
    widened = NEW_PET.replace("age: {type: integer}", "age: {type: number}")
    assert _body(tmp_path, widened).breaking == ()


def test_request_enum_narrowed(tmp_path: Path) -> None:
    after = NEW_PET.replace("[cat, dog, bird]", "[cat, dog]")
    assert _kinds(_body(tmp_path, after).breaking) == [
        ("request-enum-narrowed", "POST /pets: request body (application/json) field `kind` "
         'no longer accepts "bird"')]
    assert _body(tmp_path, NEW_PET.replace("[cat, dog, bird]", "[cat, dog, bird, fish]")) \
        == Report()


def test_request_constraint_narrowed(tmp_path: Path) -> None:
    after = NEW_PET.replace("maxLength: 64", "maxLength: 32").replace(
        "    age: {type: integer}", "    age: {type: integer, minimum: 0}")
    assert _kinds(_body(tmp_path, after).breaking) == [
        ("request-constraint-narrowed", "POST /pets: request body (application/json) field "
         "`age` minimum tightened to 0"),
        ("request-constraint-narrowed", "POST /pets: request body (application/json) field "
         "`name` maxLength tightened from 64 to 32")]


def test_new_optional_request_property_is_an_addition(tmp_path: Path) -> None:
    report = _body(tmp_path, NEW_PET + "    colour: {type: string}\n")
    assert report.breaking == ()
    assert _kinds(report.additions) == [
        ("request-field-added",
         "POST /pets: request body (application/json) field `colour` was added (optional)")]


def test_request_body_where_there_was_none(tmp_path: Path) -> None:
    before = POST_PET.replace(
        '      content:\n        application/json: {schema: {$ref: "#/components/schemas/'
        'NewPet"}}\n', "      content: {}\n")
    report = _report(tmp_path, before, POST_PET, NEW_PET, NEW_PET)
    assert [f.kind for f in report.breaking] == ["request-field-required-added",
                                                 "request-type-changed"]


def test_nested_models_and_all_of_are_followed(tmp_path: Path) -> None:
    schemas = """\
Base:
  type: object
  properties:
    id: {type: string}
NewPet:
  allOf:
    - $ref: "#/components/schemas/Base"
    - type: object
      properties:
        owner: {$ref: "#/components/schemas/Owner"}
Owner:
  type: object
  properties:
    name: {type: string}
    tags: {type: array, items: {type: string}}
"""
    after = (schemas.replace("    id: {type: string}\n", "    id: {type: integer}\n")
             .replace("items: {type: string}", "items: {type: integer}"))
    assert _kinds(_report(tmp_path, POST_PET, POST_PET, schemas, after).breaking) == [
        ("request-type-changed", "POST /pets: request body (application/json) field `id` "
         "type narrowed from string to integer"),
        ("request-type-changed", "POST /pets: request body (application/json) field "
         "`owner.tags[]` type narrowed from string to integer")]


def test_recursive_models_terminate(tmp_path: Path) -> None:
    schemas = """\
NewPet:
  type: object
  properties:
    parent: {$ref: "#/components/schemas/NewPet"}
    name: {type: string}
"""
    after = schemas.replace("    name: {type: string}\n", "")
    assert _kinds(_report(tmp_path, POST_PET, POST_PET, schemas, after).breaking) == [
        ("request-field-removed",
         "POST /pets: request body (application/json) field `name` was removed")]


# -- responses --------------------------------------------------------------------------------

GET_PET = """\
/pets:
  get:
    responses:
      "200":
        description: ok
        content:
          application/json: {schema: {$ref: "#/components/schemas/Pet"}}
      "404": {description: none}
"""

PET = """\
Pet:
  type: object
  properties:
    id: {type: integer}
    name: {type: string}
"""


def test_removed_response_status(tmp_path: Path) -> None:
    after = GET_PET.replace('      "404": {description: none}\n', "")
    assert _kinds(_report(tmp_path, GET_PET, after, PET, PET).breaking) == [
        ("response-status-removed", "GET /pets: response 404 was removed")]


def test_new_response_status_is_an_addition(tmp_path: Path) -> None:
    after = GET_PET + '      "429": {description: slow down}\n'
    report = _report(tmp_path, GET_PET, after, PET, PET)
    assert report.breaking == ()
    assert _kinds(report.additions) == [
        ("response-status-added", "GET /pets: new response 429")]


def test_removed_response_field(tmp_path: Path) -> None:
    after = PET.replace("    name: {type: string}\n", "    nickname: {type: string}\n")
    report = _report(tmp_path, GET_PET, GET_PET, PET, after)
    assert _kinds(report.breaking) == [
        ("response-field-removed",
         "GET /pets: response 200 (application/json) field `name` was removed")]
    assert _kinds(report.additions) == [
        ("response-field-added",
         "GET /pets: response 200 (application/json) field `nickname` was added")]


def test_response_field_type_change(tmp_path: Path) -> None:
    after = PET.replace("id: {type: integer}", "id: {type: string}")
    assert [f.kind for f in _report(tmp_path, GET_PET, GET_PET, PET, after).breaking] == [
        "response-type-changed"]
    narrowed = PET.replace("name: {type: string}", "name: {type: string, enum: [a]}")
    assert _report(tmp_path, GET_PET, GET_PET, PET, narrowed).breaking == ()


def test_response_model_removed(tmp_path: Path) -> None:
    after = GET_PET.replace(
        '        content:\n          application/json: {schema: {$ref: "#/components/schemas/'
        'Pet"}}\n', "")
    assert _kinds(_report(tmp_path, GET_PET, after, PET, PET).breaking) == [
        ("response-model-removed",
         "GET /pets: response 200 (application/json) no longer has a model")]


# -- authorization ----------------------------------------------------------------------------


def _secured(*schemes: str, scopes: str = "[]") -> str:
    requirement = ", ".join(f"{s}: {scopes if s == 'cognito' else '[]'}" for s in schemes)
    return GET_PETS + f"    security: [{{{requirement}}}]\n"


def test_api_key_now_required(tmp_path: Path) -> None:
    assert _kinds(_report(tmp_path, GET_PETS, _secured("api_key")).breaking) == [
        ("api-key-required", "GET /pets now requires an API key")]
    assert _report(tmp_path, _secured("api_key"), GET_PETS) == Report()


@pytest.mark.parametrize("scheme,shown", [
    ("token", "CUSTOM (authorizer token)"),
    ("cognito", "COGNITO_USER_POOLS (authorizer cognito)"),
    ("iam", "AWS_IAM")])
def test_authorization_now_required(tmp_path: Path, scheme: str, shown: str) -> None:
    assert _kinds(_report(tmp_path, GET_PETS, _secured(scheme)).breaking) == [
        ("authorization-required", f"GET /pets now requires authorization: {shown}")]


@pytest.mark.parametrize("before,after", [
    ("token", "cognito"), ("cognito", "iam"), ("iam", "token"), ("token", "request")])
def test_authorizer_type_changed(tmp_path: Path, before: str, after: str) -> None:
    report = _report(tmp_path, _secured(before), _secured(after))
    assert [f.kind for f in report.breaking] == ["authorizer-type-changed"]


def test_authorizer_type_change_messages(tmp_path: Path) -> None:
    assert _kinds(_report(tmp_path, _secured("token"), _secured("request")).breaking) == [
        ("authorizer-type-changed",
         "GET /pets: authorizer changed from TOKEN (token) to REQUEST (request)")]
    assert _kinds(_report(tmp_path, _secured("cognito"), _secured("iam")).breaking) == [
        ("authorizer-type-changed", "GET /pets: authorization changed from "
         "COGNITO_USER_POOLS (authorizer cognito) to AWS_IAM")]


def test_authorizer_identity_source_changed(tmp_path: Path) -> None:
    assert _kinds(_report(tmp_path, _secured("token"), _secured("tokenX")).breaking) == [
        ("authorizer-identity-source-changed", "GET /pets: authorizer identity source changed "
         "from method.request.header.Authorization to method.request.header.X-Token")]


def test_cognito_scopes_narrowed(tmp_path: Path) -> None:
    both = _secured("cognito", scopes="[pets/read, pets/admin]")
    admin = _secured("cognito", scopes="[pets/admin]")
    assert _kinds(_report(tmp_path, both, admin).breaking) == [
        ("authorization-scopes-narrowed", "GET /pets no longer accepts scopes pets/read")]
    assert [f.kind for f in _report(tmp_path, _secured("cognito"), admin).breaking] == [
        "authorization-scopes-narrowed"]
    assert _report(tmp_path, admin, both) == Report()


# -- rendering --------------------------------------------------------------------------------


def test_render_and_to_dict(tmp_path: Path) -> None:
    before = GET_PETS + "  delete: {responses: {\"204\": {description: gone}}}\n"
    after = GET_PETS + "  post: {responses: {\"201\": {description: made}}}\n"
    report = _report(tmp_path, before, after)
    assert render_report(report) == (
        "Breaking changes (1):\n"
        "  ! DELETE /pets was removed  [method-removed]\n"
        "\n"
        "Non-breaking additions (1):\n"
        "  + POST /pets was added  [method-added]\n"
        "\n"
        "1 breaking change, 1 addition.\n")
    assert report.to_dict() == {
        "version": 1, "summary": {"breaking": 1, "additions": 1},
        "breaking": [{"kind": "method-removed", "address": "method:api:/pets:DELETE",
                      "message": "DELETE /pets was removed", "breaking": True}],
        "additions": [{"kind": "method-added", "address": "method:api:/pets:POST",
                       "message": "POST /pets was added", "breaking": False}]}
    assert render_report(Report()) == "0 breaking changes, 0 additions.\n"


def test_all_of_referring_to_itself_terminates(tmp_path: Path) -> None:
    schemas = """\
NewPet:
  allOf:
    - $ref: "#/components/schemas/NewPet"
    - $ref: "#/components/schemas/NewPet"
    - {type: object, properties: {name: {type: string}}}
"""
    after = schemas.replace("name: {type: string}", "name: {type: integer}")
    assert [f.kind for f in _report(tmp_path, POST_PET, POST_PET, schemas, after).breaking] == [
        "request-type-changed"]

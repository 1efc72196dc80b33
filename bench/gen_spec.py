#!/usr/bin/env python3
# Verbatim copy of /work/shared/bench/gen_spec.py, the generator that produced the published
# peer figures (openapi-spec-validator, Spectral, Redocly). Keep it IDENTICAL to that file
# below this header, so apigwctl's numbers are measured on exactly the same documents; that is
# also why it is exempt from the repo's lint and type settings.
# ruff: noqa
# mypy: ignore-errors
"""Generate OpenAPI 3.0.3 specs carrying x-amazon-apigateway-* extensions.

Usage: gen_spec.py N_OPS OUT_PREFIX [--no-mock]  -> writes OUT_PREFIX.yaml and OUT_PREFIX.json

--no-mock: use only http_proxy/aws_proxy integrations.  Needed for moto 5.2.5,
whose import-rest-api crashes (HTTP 500, TypeError in put_integration) on a
MOCK integration that has no uri/httpMethod (valid on real API Gateway).

Every operation carries an x-amazon-apigateway-integration (alternating
http_proxy / aws_proxy / mock), a request validator reference and api-key
security.  Operations come in groups of 5 per resource:
  GET /resNNNN, POST /resNNNN, GET/PUT/DELETE /resNNNN/{id}
Each resource has its own component schema referenced by request/response
bodies, so $ref resolution cost scales with the spec.
The document is meant to be lint-clean for the structural OpenAPI rules; the
only things a generic linter should complain about are style rules.
"""
import json
import sys

import yaml  # PyYAML (installed with moto/awscli)


def integration(kind: int, path: str, method: str) -> dict:
    if kind == 0:
        return {
            "type": "http_proxy",
            "httpMethod": method.upper(),
            "uri": "https://backend.example.com" + path,
            "passthroughBehavior": "when_no_match",
            "connectionType": "INTERNET",
            "timeoutInMillis": 29000,
            "requestParameters": (
                {"integration.request.path.id": "method.request.path.id"}
                if "{id}" in path else {}
            ),
        }
    if kind == 1:
        return {
            "type": "aws_proxy",
            "httpMethod": "POST",
            "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                   "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}/invocations",
            "passthroughBehavior": "when_no_match",
            "contentHandling": "CONVERT_TO_TEXT",
        }
    return {
        "type": "mock",
        "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
        "responses": {
            "default": {
                "statusCode": "200",
                "responseTemplates": {"application/json": "{\"ok\": true}"},
            }
        },
        "passthroughBehavior": "when_no_match",
    }


def op(name: str, method: str, path: str, schema_ref: str, k: int, has_body: bool,
       has_id: bool, list_resp: bool) -> dict:
    o = {
        "operationId": f"{method}{name}" + ("ById" if has_id else ""),
        "summary": f"{method.upper()} {path}",
        "description": f"Generated operation {method.upper()} {path}.",
        "tags": [name],
        "security": [{"api_key": []}],
        "x-amazon-apigateway-request-validator": "all",
        "x-amazon-apigateway-integration": integration(k % (2 if NO_MOCK else 3), path, method),
    }
    params = []
    if has_id:
        params.append({"name": "id", "in": "path", "required": True,
                       "description": "Item id", "schema": {"type": "string"}})
    if list_resp:
        params.append({"name": "limit", "in": "query", "required": False,
                       "description": "Page size",
                       "schema": {"type": "integer", "minimum": 1, "maximum": 100}})
    if params:
        o["parameters"] = params
    if has_body:
        o["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": schema_ref}}}}
    body_schema = ({"type": "array", "items": {"$ref": schema_ref}}
                   if list_resp else {"$ref": schema_ref})
    o["responses"] = {
        "200": {"description": "OK",
                "content": {"application/json": {"schema": body_schema}}},
        "400": {"$ref": "#/components/responses/BadRequest"},
    }
    return o


NO_MOCK = False


def build(n_ops: int) -> dict:
    n_res = max(1, (n_ops + 4) // 5)
    paths: dict = {}
    schemas: dict = {
        "Error": {"type": "object", "required": ["message"],
                  "properties": {"message": {"type": "string"}}},
    }
    tags = []
    count = 0
    for i in range(n_res):
        name = f"Res{i:04d}"
        coll = f"/res{i:04d}"
        item = coll + "/{id}"
        ref = f"#/components/schemas/{name}"
        schemas[name] = {
            "type": "object", "required": ["id", "name"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "maxLength": 128},
                "count": {"type": "integer", "minimum": 0},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        }
        tags.append({"name": name, "description": f"Resource {name}"})
        plan = [
            (coll, "get", False, False, True),
            (coll, "post", True, False, False),
            (item, "get", False, True, False),
            (item, "put", True, True, False),
            (item, "delete", False, True, False),
        ]
        for p, m, body, has_id, lst in plan:
            if count >= n_ops:
                break
            paths.setdefault(p, {})[m] = op(name, m, p, ref, count, body, has_id, lst)
            count += 1
    return {
        "openapi": "3.0.3",
        "info": {"title": f"generated-{n_ops}", "version": "1.0.0",
                 "description": f"Generated spec with {n_ops} operations",
                 "contact": {"name": "bench", "email": "bench@example.com"},
                 "license": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"}},
        "servers": [{"url": "https://api.example.com/{basePath}",
                     "variables": {"basePath": {"default": "v1"}}}],
        "tags": tags,
        "x-amazon-apigateway-api-key-source": "HEADER",
        "x-amazon-apigateway-request-validators": {
            "all": {"validateRequestBody": True, "validateRequestParameters": True},
            "params": {"validateRequestBody": False, "validateRequestParameters": True},
        },
        "x-amazon-apigateway-gateway-responses": {
            "DEFAULT_4XX": {"responseTemplates": {
                "application/json": "{\"message\":$context.error.messageString}"}},
        },
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header",
                            "x-amazon-apigateway-authtype": "apiKey"},
            },
            "responses": {
                "BadRequest": {"description": "Bad request", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
            "schemas": schemas,
        },
    }


def main() -> None:
    global NO_MOCK
    NO_MOCK = "--no-mock" in sys.argv[3:]
    n = int(sys.argv[1])
    prefix = sys.argv[2]
    doc = build(n)
    with open(prefix + ".json", "w") as f:
        json.dump(doc, f, indent=1)
    with open(prefix + ".yaml", "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False, width=200)
    ops = sum(len(v) for v in doc["paths"].values())
    print(f"{prefix}: {ops} operations, {len(doc['paths'])} paths")


if __name__ == "__main__":
    main()

# mypy: disable-error-code="func-returns-value"
"""The fast structural pass reports exactly what openapi-spec-validator (osv) reports.

Differential: every document of the shared corpus, hand-made broken variants of Swagger 2.0,
OpenAPI 3.0 and 3.1 documents (one per way osv can complain or stop), and seeded random
mutations. Each side's findings are compared as a multiset of (pointer, message): every
finding osv reports must be reported as often by the fast path. osv gives some errors (a
schema's meta-schema error, a wrong-typed ``default``, an undefined ``required`` name) no place
or a place relative to the schema; the fast path places them at the schema, so there a fast
pointer matches osv's when it ends with it.

One normalisation, on both sides: osv lists the undefined names of "Required list has not
defined properties: [...]" in set order (it varies with the hash seed); the fast path sorts
them. The list is compared as a sorted list.
"""

from __future__ import annotations

import ast
import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from apigwctl.spec import structure
from apigwctl.spec.loader import SpecVersion, load_spec
from tests.support import corpus_files

_REQUIRED = re.compile(r"^(Required list has not defined properties: )(\[.*\])$")
Found = set[tuple[tuple[str, ...], str]]


def _norm(errors: list[tuple[Any, str]]) -> Found:
    out: Found = set()
    for pointer, message in errors:
        m = _REQUIRED.match(message)
        text = m[1] + repr(sorted(ast.literal_eval(m[2]), key=str)) if m else message
        out.add((tuple(str(t) for t in pointer), text))
    return out


def _norm_list(errors: list[tuple[Any, str]]) -> list[tuple[tuple[str, ...], str]]:
    return [next(iter(_norm([e]))) for e in errors]


def _unmatched(reference: list[tuple[tuple[str, ...], str]],
               fast: list[tuple[tuple[str, ...], str]]) -> tuple[list[Any], list[Any]]:
    """Pair each reference finding with a fast one of the same message whose pointer ends
    with the reference pointer (longest reference pointers first); return the leftovers."""
    left = list(fast)
    missing = []
    for ptr, msg in sorted(reference, key=lambda e: -len(e[0])):
        match = next((i for i, (q, m) in enumerate(left)
                      if m == msg and (not ptr or q[-len(ptr):] == ptr)), None)
        if match is None:
            missing.append((ptr, msg))
        else:
            left.pop(match)
    return missing, left


def _compare(data: Any, version: SpecVersion, path: Path | None = None,
             may_bail: bool = False) -> Found:
    """Assert both sides agree; return the reference findings. The fast path must not fall
    back to the reference unless ``may_bail``."""
    ref_list = _norm_list(list(structure.structural_errors_reference(data, version, path)))
    try:
        fast = _norm_list(structure._fast_errors(structure.string_keys(data), version, path))
    except structure._Bail:
        assert may_bail, "the fast path fell back to the reference"
        fast = _norm_list(list(structure.structural_errors(data, version, path)))
    missing, extra = _unmatched(ref_list, fast)
    assert not missing and not extra, {"missing": missing, "extra": extra}
    return set(ref_list)


def test_reference_uses_jsonschema_rs() -> None:
    from openapi_spec_validator.schemas import get_validator_backend

    assert get_validator_backend() == "jsonschema-rs", (
        "osv picks its schema backend from OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND; "
        "the fast path replays the jsonschema-rs one")


def test_schemas_are_osvs_own() -> None:
    from openapi_schema_validator import OAS30Validator
    from openapi_spec_validator.schemas import schema_v2, schema_v30, schema_v31

    assert structure.osv_schema(SpecVersion.SWAGGER2) == dict(schema_v2)
    assert structure.osv_schema(SpecVersion.OAS30) == dict(schema_v30)
    assert structure.osv_schema(SpecVersion.OAS31) == dict(schema_v31)
    assert structure.draft4_metaschema() == OAS30Validator.META_SCHEMA


# --------------------------------------------------------------------------- corpus

def _corpus_files() -> list[str]:
    return [str(p) for p in corpus_files()]


@pytest.mark.slow
@pytest.mark.parametrize("path", _corpus_files() or ["<corpus missing>"],
                         ids=lambda p: Path(p).name)
def test_corpus_document(path: str) -> None:
    if path == "<corpus missing>":
        pytest.skip("shared corpus not found; set APIGWCTL_CORPUS")
    loaded = load_spec(path)
    for doc in loaded.documents:
        if doc.version is not SpecVersion.UNKNOWN:
            _compare(doc.data, doc.version, doc.source.path)


# --------------------------------------------------------------------------- variants

def _oas30() -> dict[str, Any]:
    item = {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "string"}, "n": {"type": "integer", "default": 1}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "tags": [{"name": "a"}, {"name": "b"}],
        "paths": {
            "/items/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "get": {"operationId": "getItem", "responses": {"200": {
                    "description": "ok",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Item"}}}}}},
                "put": {"operationId": "putItem",
                        "parameters": [{"name": "q", "in": "query",
                                        "schema": {"type": "integer", "default": 3}}],
                        "responses": {"400": {"$ref": "#/components/responses/Bad"}}},
            },
            "/items": {"get": {"operationId": "list", "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/Item"}}}}}}}},
        },
        "components": {
            "schemas": {
                "Item": item,
                "Ext": {"allOf": [{"$ref": "#/components/schemas/Item"},
                                  {"properties": {"extra": {"type": "string"}}}],
                        "required": ["extra"]},
            },
            "responses": {"Bad": {"description": "bad", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Item"}}}}},
        },
    }


def _oas31() -> dict[str, Any]:
    doc = _oas30()
    doc["openapi"] = "3.1.0"
    doc["components"]["schemas"]["Nullable"] = {"type": ["string", "null"], "default": None}
    return doc


def _swagger2() -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "tags": [{"name": "a"}],
        "paths": {
            "/items/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "type": "string"}],
                "get": {"operationId": "getItem",
                        "parameters": [{"name": "limit", "in": "query", "type": "integer",
                                        "default": 10}],
                        "responses": {"200": {"description": "ok", "schema": {
                            "$ref": "#/definitions/Item"}}}},
            },
        },
        "definitions": {"Item": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}}}},
    }


Doc = dict[str, Any]
Mutation = Callable[[Doc], Any]


def _get(doc: Doc) -> Doc:
    return cast(Doc, doc["paths"]["/items/{id}"]["get"])


def _put(doc: Doc) -> Doc:
    return cast(Doc, doc["paths"]["/items/{id}"]["put"])


def _schemas(doc: Doc) -> Doc:
    return cast(Doc, doc["components"]["schemas"])


def _resp_schema(doc: Doc, schema: Any) -> None:
    _get(doc)["responses"]["200"]["content"]["application/json"]["schema"] = schema


def _shared(doc: Doc) -> None:
    # a YAML alias: one object at two places
    _schemas(doc)["Alias"] = _schemas(doc)["Ext"]


def _cycle(doc: Doc) -> None:
    _schemas(doc)["A"] = {"allOf": [{"$ref": "#/components/schemas/B"}]}
    _schemas(doc)["B"] = {"items": {"$ref": "#/components/schemas/A"}}


OAS30_VARIANTS: dict[str, Mutation] = {
    "valid": lambda d: None,
    "no-info": lambda d: d.pop("info"),
    "info-version-missing": lambda d: d["info"].pop("version"),
    "no-responses": lambda d: _get(d).pop("responses"),
    "empty-responses": lambda d: _get(d).__setitem__("responses", {}),
    "paths-list": lambda d: d.__setitem__("paths", [{"get": {}}]),
    "paths-empty-list": lambda d: d.__setitem__("paths", []),
    "path-item-string": lambda d: d["paths"].__setitem__("/items", "x"),
    "path-item-list": lambda d: d["paths"].__setitem__("/items", [1]),
    "responses-string": lambda d: _get(d).__setitem__("responses", "abc"),
    "responses-list": lambda d: _get(d).__setitem__("responses", ["abc"]),
    "response-string": lambda d: _get(d)["responses"].__setitem__("200", "x"),
    "content-list": lambda d: _get(d)["responses"]["200"].__setitem__("content", [1]),
    "content-string": lambda d: _get(d)["responses"]["200"].__setitem__("content", "x"),
    "parameters-dict": lambda d: _put(d).__setitem__("parameters", {"a": {"name": "a"}}),
    "parameters-string": lambda d: _put(d).__setitem__("parameters", "abc"),
    "parameter-string": lambda d: _put(d)["parameters"].append("abc"),
    "parameter-no-name": lambda d: _put(d)["parameters"][0].pop("name"),
    "parameter-no-in": lambda d: _put(d)["parameters"][0].pop("in"),
    "parameter-name-list": lambda d: _put(d)["parameters"][0].__setitem__("name", ["q"]),
    "parameter-in-int": lambda d: d["paths"]["/items/{id}"]["parameters"][0].__setitem__(
        "in", 5),
    "parameter-dup": lambda d: _put(d)["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string"}}),
    "parameter-dup-path-level": lambda d: d["paths"]["/items/{id}"]["parameters"].append(
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}),
    "parameter-same-name-other-in": lambda d: _put(d)["parameters"].append(
        {"name": "q", "in": "header", "schema": {"type": "string"}}),
    "path-param-undeclared": lambda d: d["paths"].__setitem__(
        "/x/{a}/{b}", {"get": {"responses": {"200": {"description": "ok"}}}}),
    "path-param-not-in-url": lambda d: _put(d)["parameters"].append(
        {"name": "zz", "in": "path", "required": True, "schema": {"type": "string"}}),
    "path-template-broken": lambda d: d["paths"].__setitem__(
        "/b/{x", {"get": {"responses": {"200": {"description": "ok"}}}}),
    "path-template-format": lambda d: d["paths"].__setitem__(
        "/b/{x.y}/{z:int}", {"get": {"responses": {"200": {"description": "ok"}}}}),
    "path-param-ref": lambda d: (
        d["components"].__setitem__("parameters", {"Id": {
            "name": "id", "in": "path", "required": True, "schema": {"type": "string"}}}),
        d["paths"]["/items/{id}"].__setitem__(
            "parameters", [{"$ref": "#/components/parameters/Id"}])),
    "op-id-dup": lambda d: _put(d).__setitem__("operationId", "getItem"),
    "op-id-dup-three": lambda d: (_put(d).__setitem__("operationId", "list"),
                                  _get(d).__setitem__("operationId", "list")),
    "op-id-int-bool": lambda d: (_put(d).__setitem__("operationId", 1),
                                 _get(d).__setitem__("operationId", True)),
    "op-id-list": lambda d: (_put(d).__setitem__("operationId", ["x"]),
                             _get(d).__setitem__("operationId", ["x"])),
    "op-id-null": lambda d: (_put(d).__setitem__("operationId", None),
                             _get(d).__setitem__("operationId", None)),
    "tags-dup": lambda d: d["tags"].append({"name": "a"}),
    "tag-no-name": lambda d: d["tags"].append({"x": 1}),
    "tag-name-int": lambda d: d.__setitem__("tags", [{"name": 5}, {"name": 5}]),
    "tags-dict": lambda d: d.__setitem__("tags", {"a": {"name": "a"}}),
    "tags-string": lambda d: d.__setitem__("tags", "abc"),
    "schema-int": lambda d: _resp_schema(d, 5),
    "schema-bool": lambda d: _resp_schema(d, True),
    "schema-bad-minlength": lambda d: _resp_schema(d, {"type": "string", "minLength": -1}),
    "schema-float-minlength": lambda d: _resp_schema(d, {"type": "string", "minLength": 1.0}),
    "schema-bad-type": lambda d: _resp_schema(d, {"type": "foo"}),
    "schema-bad-regex": lambda d: _resp_schema(d, {"type": "string", "pattern": "[a-"}),
    "schema-unicode-regex": lambda d: _resp_schema(d, {"pattern": "\\p{L}+"}),
    "schema-nan": lambda d: _resp_schema(d, {"maximum": float("nan")}),
    "schema-properties-string": lambda d: _resp_schema(d, {"properties": "x"}),
    "schema-properties-list": lambda d: _resp_schema(d, {"properties": [{"type": "x"}]}),
    "schema-allof-string": lambda d: _resp_schema(d, {"allOf": "x"}),
    "required-undefined": lambda d: _schemas(d)["Ext"].__setitem__(
        "required", ["extra", "zz", "yy"]),
    "required-undefined-inline": lambda d: _resp_schema(d, {
        "allOf": [{"properties": {"a": {}}}], "required": ["a", "b", "c"]}),
    "required-nested-allof": lambda d: _resp_schema(d, {"allOf": [
        {"allOf": [{"properties": {"a": {}}}]}, {"items": {"properties": {"b": {}}}}],
        "required": ["a", "b", "c"]}),
    "required-string": lambda d: _resp_schema(d, {"allOf": [{}], "required": "ab"}),
    "required-int": lambda d: _resp_schema(d, {"allOf": [{}], "required": 5}),
    "required-unhashable": lambda d: _resp_schema(d, {"allOf": [{}], "required": [{}]}),
    "required-seen-nested-first": lambda d: (
        _schemas(d).__setitem__("Holder", {"properties": {
            "e": {"$ref": "#/components/schemas/Late"}}}),
        _schemas(d).__setitem__("Late", {"allOf": [{}], "required": ["nope"]})),
    "default-wrong-type": lambda d: _schemas(d)["Item"]["properties"]["n"].__setitem__(
        "default", "x"),
    "default-null-nullable": lambda d: _resp_schema(d, {"type": "string", "nullable": True,
                                                        "default": None}),
    "default-null": lambda d: _resp_schema(d, {"type": "string", "default": None}),
    "default-format": lambda d: _resp_schema(d, {"type": "string", "format": "date-time",
                                                 "default": "now"}),
    "default-object": lambda d: _resp_schema(d, {"type": "object", "properties": {
        "a": {"type": "string"}}, "default": {"a": 1}}),
    "default-with-ref": lambda d: _resp_schema(d, {
        "type": "object", "properties": {"i": {"$ref": "#/components/schemas/Item"}},
        "default": {"i": {"n": "x"}}}),
    "default-enum": lambda d: _resp_schema(d, {"enum": ["a", "b"], "default": "c"}),
    "default-is-ref": lambda d: _resp_schema(d, {"type": "object", "default": {
        "$ref": "#/components/schemas/Item"}}),
    "default-ref-nowhere": lambda d: _resp_schema(d, {"type": "object", "properties": {
        "i": {"$ref": "#/components/schemas/Nope"}}, "default": {"i": 1}}),
    "ref-missing-component": lambda d: _resp_schema(d, {"$ref": "#/components/schemas/No"}),
    "ref-missing-response": lambda d: _get(d)["responses"].__setitem__(
        "404", {"$ref": "#/components/responses/Nope"}),
    "ref-missing-parameter": lambda d: _put(d)["parameters"].append(
        {"$ref": "#/components/parameters/Nope"}),
    "ref-root": lambda d: _resp_schema(d, {"$ref": "#"}),
    "ref-slash": lambda d: _resp_schema(d, {"$ref": "#/"}),
    "ref-to-list-item": lambda d: _resp_schema(d, {"$ref": "#/tags/0"}),
    "ref-list-index-out": lambda d: _resp_schema(d, {"$ref": "#/tags/9"}),
    "ref-escaped": lambda d: (_schemas(d).__setitem__("a/b~c", {"type": "string"}),
                              _resp_schema(d, {"$ref": "#/components/schemas/a~1b~0c"})),
    "ref-percent": lambda d: (_schemas(d).__setitem__("a b", {"type": "string"}),
                              _resp_schema(d, {"$ref": "#/components/schemas/a%20b"})),
    "ref-non-string": lambda d: _resp_schema(d, {"$ref": 5}),
    "ref-cycle": lambda d: (_schemas(d).__setitem__("R1", {"$ref": "#/components/schemas/R2"}),
                            _schemas(d).__setitem__("R2", {"$ref": "#/components/schemas/R1"})),
    "ref-remote": lambda d: _resp_schema(d, {"$ref": "https://example.com/s.yaml#/X"}),
    "ref-outside-folder": lambda d: _resp_schema(d, {"$ref": "../../../etc/passwd#/X"}),
    "ref-missing-file": lambda d: _resp_schema(d, {"$ref": "nope.yaml#/X"}),
    "allof-cycle": _cycle,
    "recursive-schema": lambda d: _schemas(d).__setitem__("Tree", {
        "type": "object", "properties": {"kids": {"type": "array", "items": {
            "$ref": "#/components/schemas/Tree"}}}}),
    "shared-object": _shared,
    "int-response-key": lambda d: _get(d).__setitem__("responses", {200: {
        "description": "ok"}}),
    "components-schemas-list": lambda d: d["components"].__setitem__("schemas", [{"type": 1}]),
    "components-list": lambda d: d.__setitem__("components", [1]),
    "operation-string": lambda d: d["paths"]["/items/{id}"].__setitem__("get", "x"),
    "unicode": lambda d: _put(d).__setitem__("operationId", "getItem\u00e9"),
}

OAS31_VARIANTS: dict[str, Mutation] = {
    "valid": lambda d: None,
    "unknown-dialect": lambda d: d.__setitem__("jsonSchemaDialect", "https://nope/x"),
    "dialect-not-string": lambda d: d.__setitem__("jsonSchemaDialect", 5),
    "schema-dialect-int": lambda d: _resp_schema(d, {"$schema": 5}),
    "schema-dialect-known": lambda d: _resp_schema(d, {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string"}),
    "schema-bad-type": lambda d: _resp_schema(d, {"type": 5}),
    "default-wrong-type": lambda d: _schemas(d)["Item"]["properties"]["n"].__setitem__(
        "default", "x"),
    "required-undefined": lambda d: _schemas(d)["Ext"].__setitem__("required", ["zz"]),
    "op-id-dup": lambda d: _put(d).__setitem__("operationId", "getItem"),
    "webhooks-only": lambda d: (d.pop("paths"), d.__setitem__("webhooks", {})),
}


def _s2get(doc: Doc) -> Doc:
    return cast(Doc, doc["paths"]["/items/{id}"]["get"])


SWAGGER2_VARIANTS: dict[str, Mutation] = {
    "valid": lambda d: None,
    "param-default-wrong": lambda d: _s2get(d)["parameters"][0].__setitem__("default", "x"),
    "param-default-enum": lambda d: _s2get(d)["parameters"][0].update(
        {"enum": [1, 2], "default": 3}),
    "param-no-name": lambda d: _s2get(d)["parameters"][0].pop("name"),
    "response-schema-bad": lambda d: _s2get(d)["responses"]["200"].__setitem__(
        "schema", {"type": "nope"}),
    "response-schema-required": lambda d: _s2get(d)["responses"]["200"].__setitem__(
        "schema", {"allOf": [{}], "required": ["x"]}),
    "ref-missing-definition": lambda d: _s2get(d)["responses"]["200"].__setitem__(
        "schema", {"$ref": "#/definitions/Nope"}),
    "op-id-dup": lambda d: d["paths"].__setitem__("/other", {"post": {
        "operationId": "getItem", "responses": {"200": {"description": "ok"}}}}),
    "path-param-undeclared": lambda d: d["paths"].__setitem__("/x/{y}", {"get": {
        "responses": {"200": {"description": "ok"}}}}),
    "no-swagger-info": lambda d: d.pop("info"),
}

_BAILS: set[str] = set()  # variants the walker may hand over to osv


def _variants() -> Iterator[tuple[str, SpecVersion, Callable[[], Doc], Mutation]]:
    for name, mut in OAS30_VARIANTS.items():
        yield f"oas30-{name}", SpecVersion.OAS30, _oas30, mut
    for name, mut in OAS31_VARIANTS.items():
        yield f"oas31-{name}", SpecVersion.OAS31, _oas31, mut
    for name, mut in SWAGGER2_VARIANTS.items():
        yield f"swagger2-{name}", SpecVersion.SWAGGER2, _swagger2, mut


VARIANTS = list(_variants())


@pytest.mark.parametrize(("name", "version", "make", "mutate"), VARIANTS,
                         ids=[v[0] for v in VARIANTS])
def test_variant(name: str, version: SpecVersion, make: Callable[[], Doc], mutate: Mutation,
                 tmp_path: Path) -> None:
    doc = make()
    mutate(doc)
    spec = tmp_path / "spec.json"
    found = _compare(doc, version, spec, may_bail=name.split("-", 1)[1] in _BAILS)
    if name.endswith("-valid"):
        assert found == set()


def test_variants_cover_every_kind_of_finding() -> None:
    """The hand-made variants make osv say each thing it can say, so each is compared."""
    said: set[str] = set()
    for _name, version, make, mutate in VARIANTS:
        doc = make()
        mutate(doc)
        said |= {m for _, m in _norm(list(structure.structural_errors_reference(doc, version)))}
    text = "\n".join(sorted(said))
    for expected in ("Duplicate tag name", "Duplicate parameter", "is not unique",
                     "was not resolved", "Required list has not defined properties",
                     "is not of type 'integer'", "is not of type 'object', 'boolean'",
                     "does not exist within", "structural validation stopped: 'name'",
                     "nested too deeply", "is not a 'regex'", "Unknown JSON Schema dialect",
                     "is a required property"):
        assert expected in text, expected


# --------------------------------------------------------------------------- external files

def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


EXTERNAL_CASES: dict[str, tuple[Any, dict[str, Any]]] = {
    "ok": ({"$ref": "shared/schemas.json#/Item"},
           {"shared/schemas.json": {"Item": {"type": "object", "allOf": [{}],
                                             "required": ["zz"], "default": {"x": 1}}}}),
    "relative-inside": ({"$ref": "shared/a.json#/A"},
                        {"shared/a.json": {"A": {"$ref": "b.json#/B"}},
                         "shared/b.json": {"B": {"type": "integer", "default": "no"}}}),
    "back-to-root": ({"$ref": "shared/a.json#/A"},
                     {"shared/a.json": {"A": {"$ref": "../spec.json#/components/schemas/Item"}}}),
    "missing-pointer": ({"$ref": "shared/a.json#/Nope"}, {"shared/a.json": {"A": {}}}),
    "missing-file": ({"$ref": "shared/none.json#/A"}, {}),
    "whole-file": ({"$ref": "shared/a.json"}, {"shared/a.json": {"type": "string",
                                                                 "minLength": -1}}),
    "yaml-file": ({"$ref": "shared/a.yaml#/A"}, {}),
    "with-id": ({"$ref": "shared/a.json#/A"}, {"shared/a.json": {"A": {"$id": "x.json"}}}),
}


@pytest.mark.parametrize("case", sorted(EXTERNAL_CASES))
def test_external_refs(case: str, tmp_path: Path) -> None:
    schema, files = EXTERNAL_CASES[case]
    for rel, content in files.items():
        _write(tmp_path / rel, content)
    if case == "yaml-file":
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "a.yaml").write_text(
            "A:\n  type: string\n  format: date\n  default: 2020-13-45\n", encoding="utf-8")
    doc = _oas30()
    _resp_schema(doc, schema)
    spec = tmp_path / "spec.json"
    _write(spec, doc)
    _compare(doc, SpecVersion.OAS30, spec, may_bail=case == "with-id")


def test_no_file_outside_the_folder_is_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    _write(secret, {"X": {"type": "string", "minLength": -1}})
    doc = _oas30()
    _resp_schema(doc, {"$ref": "../secret.json#/X"})
    spec = tmp_path / "api" / "spec.json"
    _write(spec, doc)
    found = _compare(doc, SpecVersion.OAS30, spec)
    assert ((), "structural validation stopped: ../secret.json#/X") in found
    assert not any("minLength" in m or "-1" in m for _, m in found)


# --------------------------------------------------------------------------- random mutations

_POOL: list[Any] = [5, "x", [], {}, None, True, 1.5, [{}], {"$ref": "#/nope"},
                    {"$ref": "#/components/schemas/Item"}, {"type": "nope"},
                    {"allOf": [{}], "required": ["q"]}, {"name": "n", "in": "query"}]


def _nodes(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _nodes(v, (*path, i))


def _mutated(make: Callable[[], Doc], rng: random.Random) -> Doc:
    doc = make()
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _nodes(doc) if p]
        target = rng.choice(paths)
        parent = doc
        for key in target[:-1]:
            parent = parent[key]
        action = rng.random()
        if action < 0.2 and isinstance(parent, dict):
            del parent[target[-1]]
        else:
            parent[target[-1]] = copy.deepcopy(rng.choice(_POOL))
    return doc


@pytest.mark.parametrize("seed", range(8))
def test_random_mutations(seed: int) -> None:
    rng = random.Random(seed)
    makers = [(SpecVersion.OAS30, _oas30), (SpecVersion.OAS31, _oas31),
              (SpecVersion.SWAGGER2, _swagger2)]
    for _ in range(40):
        version, make = rng.choice(makers)
        _compare(_mutated(make, rng), version, may_bail=True)


# --------------------------------------------------------------------------- meta-schema filter

META_EDGE_CASES: list[Any] = [
    {"minLength": 1.0}, {"minLength": 2**70}, {"maximum": float("nan")},
    {"maximum": float("inf")}, {"pattern": "\\p{L}"}, {"pattern": "(?<x>a)"},
    {"pattern": "[a-"}, {"pattern": "^\\d+$"}, {"enum": [1, True]}, {"enum": [1, 1.0]},
    {"required": ["a", "a"]}, {"type": "foo"}, {"minLength": True}, {"items": [{}]},
    {"items": []}, {"minItems": -0.0}, {"minimum": 1, "exclusiveMinimum": True},
    {"exclusiveMinimum": True}, {"$ref": 5}, {"properties": {"a": 5}}, True, False, None,
    {"multipleOf": 0}, {"multipleOf": 0.5}, {"required": []}, {"default": float("nan")},
    {"type": ["string", "null"]}, {"type": []}, {"additionalProperties": 5},
    {"dependencies": {"a": ["b", "b"]}}, {"dependencies": {"a": "b"}}, {"format": 5},
    {"id": 5}, {"nullable": "yes"}, {"maxLength": -1}, {"maxLength": 10**20},
    {"enum": []}, {"not": []}, {"allOf": []}, {"anyOf": [5]}, {"definitions": {"a": []}},
    {"patternProperties": {"[": {}}}, {"additionalItems": False}, {"uniqueItems": 1},
]


def test_meta_filter_never_accepts_what_osv_rejects() -> None:
    from jsonschema.exceptions import SchemaError
    from openapi_schema_validator import OAS30Validator

    meta = structure._meta_validator()
    rng = random.Random(7)
    cases = list(META_EDGE_CASES)
    for _ in range(300):
        case: dict[str, Any] = {}
        for _ in range(rng.randint(1, 3)):
            case.update(rng.choice([c for c in META_EDGE_CASES if isinstance(c, dict)]))
        cases.append(case)
    for case in cases:
        try:
            fast_ok = meta.is_valid(case)
        except Exception:
            fast_ok = False
        if fast_ok:
            try:
                OAS30Validator.check_schema(case)
            except SchemaError as err:
                pytest.fail(f"jsonschema-rs accepted {case!r}; osv says {err.message}")

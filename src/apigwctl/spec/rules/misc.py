"""Stage-variable references, unresolved template placeholders, and import constraints on
paths, operations, models and the size of the body.

Placeholders: API Gateway substitutes ``${stageVariables.x}`` at run time and
``${AWS::Region}``, ``${AWS::AccountId}``, ``${AWS::Partition}`` at import (REST and HTTP,
developer guide "AWS variables for OpenAPI import"). Any other ``${...}`` outside a mapping
template (VTL) is text left by a templating tool (Terraform, CloudFormation) and reaches
API Gateway literally.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import ApiKind
from apigwctl.spec.rules.auth import authorizers, is_intrinsic
from apigwctl.spec.rules.base import DOCS, Finding, Rule, RuleContext, register

REST = frozenset({ApiKind.REST})
INTEGRATION = "x-amazon-apigateway-integration"
_KNOWN_ISSUES = DOCS + "api-gateway-known-issues.html"
_STAGE_VARS_DOC = DOCS + "aws-api-gateway-stage-variables-reference.html"
_AWS_VARS_DOC = DOCS + "import-api-aws-variables.html"

# --------------------------------------------------------------------------- placeholders

_TEMPLATE_KEYS = frozenset({"requestTemplates", "responseTemplates"})
_PROSE_SUBTREES = frozenset({"x-amazon-apigateway-documentation", "example", "examples",
                             "x-example", "schema"})
_PROSE_LEAVES = frozenset({"description", "summary"})


def in_mapping_template(ptr: Pointer) -> bool:
    """Strings under requestTemplates/responseTemplates are VTL, where ``${x}`` is code."""
    return any(t in _TEMPLATE_KEYS for t in ptr)


def is_prose(ptr: Pointer) -> bool:
    """Descriptions, examples and schemas: text API Gateway never interprets."""
    return (any(t in _PROSE_SUBTREES for t in ptr) or (bool(ptr) and ptr[-1] in _PROSE_LEAVES)
            or ptr[:2] == ("components", "schemas") or ptr[:1] == ("definitions",))


def placeholder_strings(ctx: RuleContext) -> Iterator[tuple[Pointer, str]]:
    """Strings with ``${`` that API Gateway reads as plain values (path keys included)."""
    for ptr, text in ctx.doc.scan.placeholders:
        if not in_mapping_template(ptr) and not is_prose(ptr):
            yield ptr, text
    paths = ctx.data.get("paths")
    if isinstance(paths, Mapping):
        for key in paths:
            if isinstance(key, str) and "${" in key:
                yield ("paths", key), key


_SV_START = re.compile(r"\$\{\s*stagevariables", re.IGNORECASE)
_SV_GOOD = re.compile(r"\$\{stageVariables\.[A-Za-z0-9_]{1,64}\}")


def _malformed_stage_refs(text: str) -> list[str]:
    out = []
    for m in _SV_START.finditer(text):
        if not _SV_GOOD.match(text, m.start()):
            end = text.find("}", m.start())
            out.append(text[m.start(): end + 1] if end >= 0 else text[m.start(): m.start() + 40])
    return out


@register
class MalformedStageVariable(Rule):
    id = "E2600"
    description = "A ${stageVariables.name} reference is malformed."
    doc_url = _STAGE_VARS_DOC
    hint = ("write ${stageVariables.name}: the name has letters, digits and underscores "
            "only (at most 64), and the brace must be closed")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ptr, text in placeholder_strings(ctx):
            bad = _malformed_stage_refs(text)
            if bad:
                yield Finding(ptr, f"malformed stage variable reference {bad[0]!r}"
                              + (f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""))


_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
AWS_VARIABLES = frozenset({"AWS::Region", "AWS::AccountId", "AWS::Partition"})
# API Gateway runtime expressions, not template placeholders.
_RUNTIME = re.compile(r"^\s*(stagevariables|request\.|context\.|method\.|integration\.|util\.)",
                      re.IGNORECASE)


def unresolved(text: str) -> list[str]:
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)
            if m.group(1) not in AWS_VARIABLES and not _RUNTIME.match(m.group(1))]


@register
class UnresolvedPlaceholder(Rule):
    id = "W2601"
    description = "A ${...} placeholder API Gateway does not substitute (templating left over)."
    doc_url = _AWS_VARS_DOC
    hint = ("render the template (Terraform templatefile, Fn::Sub) before importing; API "
            "Gateway substitutes only ${stageVariables.*} and ${AWS::Region|AccountId|"
            "Partition}")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ptr, text in placeholder_strings(ctx):
            names = unresolved(text)
            if names:
                listed = ", ".join(dict.fromkeys(names))
                yield Finding(ptr, f"unresolved template placeholder {listed}: API Gateway "
                              "would use it literally")


# --------------------------------------------------------------------------- operations


@register
class OperationWithoutResponses(Rule):
    id = "I2602"
    description = "An operation declares no responses (API Gateway accepts it)."
    doc_url = DOCS + "api-gateway-import-api.html"
    hint = "declare at least the success response, e.g. responses: {\"200\": {description: OK}}"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for op in ctx.operations:
            raw = op.node.get("responses")
            if raw is None:
                yield Finding(op.pointer, f"{op.method} {op.path} has no responses")
            elif isinstance(raw, Mapping) and not raw:
                yield Finding((*op.pointer, "responses"),
                              f"{op.method} {op.path} has an empty responses object")


@register
class DuplicateOperationId(Rule):
    id = "E2603"
    description = "Two operations share an operationId (it becomes the method's operationName)."
    doc_url = DOCS + "api-gateway-import-api.html"
    hint = "give every operation a unique operationId"
    supersedes = (r"^Operation ID '.*' for '.*' in '.*' is not unique$",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        first: dict[str, str] = {}
        for op in ctx.operations:
            oid = op.node.get("operationId")
            if not isinstance(oid, str):
                continue
            where = f"{op.method} {op.path}"
            if oid in first:
                yield Finding((*op.pointer, "operationId"), f"operationId {oid!r} of {where} "
                              f"is already used by {first[oid]}")
            else:
                first[oid] = where


_TEMPLATE_PARAM = re.compile(r"(?<!\$)\{([^{}]+)\}")


@register
class UndeclaredPathParameter(Rule):
    id = "E2604"
    description = "A parameter of the path template is not declared as an `in: path` parameter."
    doc_url = DOCS + "api-gateway-import-api.html"
    supersedes = (r"^Path parameter '.*' for '.*' operation in '.*' was not resolved$",)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for op in ctx.operations:
            declared = {str(p.get("name")) for _, p in ctx.parameters(op) if p.get("in") == "path"}
            for raw in _TEMPLATE_PARAM.findall(op.path):
                name = raw[:-1] if raw.endswith("+") else raw
                if name in declared or raw in declared:
                    continue
                yield Finding(op.pointer, f"{op.method} {op.path} does not declare path "
                              f"parameter {name!r}", f"add {{name: {name}, in: path, required: "
                              "true} to the operation's (or the path's) parameters")


# --------------------------------------------------------------------------- quotas

MAX_RESOURCES = 300
MAX_BODY_BYTES = 6 * 1024 * 1024


def resource_paths(paths: Mapping[Any, Any]) -> set[str]:
    """Every REST resource the paths create: each prefix of each path, and the root."""
    out = {"/"}
    for key in paths:
        if not isinstance(key, str):
            continue
        parts = [p for p in key.split("/") if p]
        out.update("/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return out


@register
class TooManyResources(Rule):
    """The 300-resource quota can be raised per API, so this is a warning."""

    id = "W2605"
    description = "The paths create more than 300 REST resources (the default quota)."
    doc_url = DOCS + "limits.html"
    kinds = REST
    hint = "request a higher 'Resources per API' quota, or split the API"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        paths = ctx.data.get("paths")
        if not isinstance(paths, Mapping):
            return
        count = len(resource_paths(paths))
        if count > MAX_RESOURCES:
            yield Finding(("paths",), f"the paths create {count} resources (counting "
                          f"intermediate segments and the root), over the default quota of "
                          f"{MAX_RESOURCES}")


def body_size(ctx: RuleContext, cap: int) -> int:
    """Bytes API Gateway receives: the file, or an embedded body serialized as JSON.

    The serialization streams and stops past ``cap``: YAML aliases can make an embedded
    body far larger than its template, and it is never built in memory.
    """
    if not ctx.doc.base:
        return ctx.doc.source.size
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)
    size = 0
    for chunk in encoder.iterencode(ctx.data):
        size += len(chunk.encode("utf-8", "surrogatepass"))
        if size > cap:
            break
    return size


@register
class BodyTooLarge(Rule):
    id = "E2606"
    description = "The OpenAPI body is larger than the 6 MB API Gateway accepts."
    doc_url = DOCS + "limits.html"
    hint = "split the API, or drop documentation and unused schemas"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        size = body_size(ctx, MAX_BODY_BYTES)
        if size > MAX_BODY_BYTES:
            what = ("serialized as JSON is over" if ctx.doc.base
                    else f"is {size:,} bytes, over")
            yield Finding((), f"the body {what} the 6 MB ({MAX_BODY_BYTES:,}-byte) "
                          "import limit")


# --------------------------------------------------------------------------- enum case

_LOWER = ("aws", "aws_proxy", "http", "http_proxy", "mock")
_PASSTHROUGH = ("when_no_match", "when_no_templates", "never")
_AUTHORIZER_TYPES = ("token", "request", "cognito_user_pools", "jwt")
_AUTH_TYPES = ("NONE", "AWS_IAM")


def _integration_nodes(ctx: RuleContext) -> Iterator[tuple[Pointer, Mapping[str, Any]]]:
    """Integration objects where they are written (a shared $ref target once)."""
    for ptr, node in ctx.extension_sites(INTEGRATION):
        if isinstance(node, Mapping) and "$ref" not in node and not is_intrinsic(node):
            yield ptr, node
    comps = ctx.data.get("components")
    shared = comps.get("x-amazon-apigateway-integrations") if isinstance(comps, Mapping) else None
    if isinstance(shared, Mapping):
        for name, node in shared.items():
            if isinstance(node, Mapping):
                yield ("components", "x-amazon-apigateway-integrations", name), node


def _enum_sites(ctx: RuleContext) -> Iterator[tuple[str, Pointer, Any, tuple[str, ...]]]:
    """(field label, pointer, value, canonical spellings) of every case-insensitive enum.
    Canonical = what API Gateway's own exports write."""
    for ptr, node in _integration_nodes(ctx):
        if ctx.kind is ApiKind.REST:  # HTTP API exports write upper case (AWS_PROXY)
            yield "integration type", (*ptr, "type"), node.get("type"), _LOWER
        yield ("passthroughBehavior", (*ptr, "passthroughBehavior"),
               node.get("passthroughBehavior"), _PASSTHROUGH)
    for auth in authorizers(ctx):
        yield "authorizer type", auth.at("type"), auth.node.get("type"), _AUTHORIZER_TYPES
    for ptr, node in ctx.extension_sites("x-amazon-apigateway-auth"):
        if isinstance(node, Mapping):
            yield "x-amazon-apigateway-auth type", (*ptr, "type"), node.get("type"), _AUTH_TYPES


@register
class NonCanonicalEnumCase(Rule):
    """Canonical forms follow the developer guide's OpenAPI examples and exports:
    lower-case integration and authorizer types and passthroughBehavior, upper-case
    x-amazon-apigateway-auth types. One finding per distinct spelling."""

    id = "I2607"
    description = "An enum value API Gateway reads case-insensitively is not in its canonical case."
    doc_url = DOCS + "api-gateway-swagger-extensions-integration.html"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        seen: dict[tuple[str, str], list[Pointer]] = {}
        canonical: dict[tuple[str, str], str] = {}
        for label, ptr, value, forms in _enum_sites(ctx):
            if not isinstance(value, str):
                continue
            match = next((f for f in forms if f.lower() == value.lower()), None)
            if match is not None and match != value:
                seen.setdefault((label, value), []).append(ptr)
                canonical[(label, value)] = match
        for (label, value), ptrs in seen.items():
            more = f" ({len(ptrs)} places)" if len(ptrs) > 1 else ""
            form = canonical[(label, value)]
            yield Finding(ptrs[0], f"{label} {value!r}{more} is accepted, but API Gateway's "
                          f"OpenAPI form is {form!r}", f"write {form!r} for consistent diffs")


# --------------------------------------------------------------------------- REST paths, models

_LITERAL = re.compile(r"^[A-Za-z0-9_\-.,:]+$")
_PARAM_SEGMENT = re.compile(r"^\{[^{}/+]+(\+?)\}$")


def segment_problem(segments: list[str], i: int) -> str | None:
    seg, last = segments[i], i == len(segments) - 1
    if "${" in seg:
        return None  # a template placeholder: W2601
    if seg == "":
        return None if last else "has an empty segment ('//')"
    if "{" in seg or "}" in seg:
        m = _PARAM_SEGMENT.match(seg)
        if m is None:
            return f"segment {seg!r}: a path parameter must be a whole segment, like {{id}}"
        if m.group(1) and not last:
            return f"segment {seg!r}: a greedy parameter must be the last segment"
        return None
    if not _LITERAL.match(seg):
        bad = "".join(dict.fromkeys(c for c in seg if not _LITERAL.match(c)))
        return f"segment {seg!r} contains {bad!r}; allowed are letters, digits and _ - . , :"
    return None


@register
class InvalidPathSegment(Rule):
    id = "E2608"
    description = "A REST path segment has characters or parameter forms API Gateway rejects."
    doc_url = _KNOWN_ISSUES
    kinds = REST
    hint = "rename the segment; parameters are whole segments, {proxy+} only at the end"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        paths = ctx.data.get("paths")
        if not isinstance(paths, Mapping):
            return
        for path in paths:
            if not isinstance(path, str) or path == "/" or not path.startswith("/"):
                continue
            segments = path.split("/")[1:]
            problem = next((p for i in range(len(segments))
                            if (p := segment_problem(segments, i))), None)
            if problem:
                yield Finding(("paths", path), f"path {path!r} {problem}")


_MODEL_NAME = re.compile(r"^[A-Za-z0-9]+$")
MAX_LISTED = 25  # beyond this, one summary finding: a plain spec can have thousands


@register
class ModelNameNotAlphanumeric(Rule):
    """Import fails with "Unable to create model for 'body_1': Model name must be
    alphanumeric" (BadRequestException, reported in edx/api-manager#259 and
    micronaut-openapi#1646), so this is an error. The first 25 names are reported one by
    one, the rest in one finding."""

    id = "E2609"
    description = "A schema (REST model) name is not alphanumeric."
    doc_url = _KNOWN_ISSUES
    kinds = REST
    hint = "rename the schema to letters and digits only and update its $refs"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        base, schemas = self._schemas(ctx)
        if not isinstance(schemas, Mapping):
            return
        bad = [name for name in schemas if not _MODEL_NAME.match(str(name))]
        for name in bad[:MAX_LISTED]:
            yield Finding((*base, name), f"model name {name!r} is not alphanumeric: import "
                          "cannot create the model")
        if len(bad) > MAX_LISTED:
            yield Finding(base, f"{len(bad) - MAX_LISTED} more model names are not "
                          f"alphanumeric (e.g. {bad[MAX_LISTED]!r})")

    @staticmethod
    def _schemas(ctx: RuleContext) -> tuple[Pointer, Any]:
        if ctx.is_oas3:
            comps = ctx.data.get("components")
            return ("components", "schemas"), (
                comps.get("schemas") if isinstance(comps, Mapping) else None)
        return ("definitions",), ctx.data.get("definitions")


@register
class OperationWithoutIntegration(Rule):
    """When no operation has an integration (a plain spec), one finding stands for all."""

    id = "W2610"
    description = "A REST operation has no x-amazon-apigateway-integration; it cannot be deployed."
    doc_url = DOCS + "api-gateway-swagger-extensions-integration.html"
    kinds = REST
    hint = ("add x-amazon-apigateway-integration (type mock for a stub); CreateDeployment "
            "fails with \"No integration defined for method\"")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        ops = ctx.operations
        missing = [op for op in ops if INTEGRATION not in op.node]
        if not missing:
            return
        if len(missing) == len(ops):
            yield Finding(("paths",), f"none of the {len(ops)} operation(s) has an "
                          "x-amazon-apigateway-integration")
            return
        for op in missing:
            yield Finding(op.pointer, f"{op.method} {op.path} has no "
                          "x-amazon-apigateway-integration")

"""Shape of every ``x-amazon-apigateway-*`` extension, checked against its JSON Schema.

Schemas: one file per extension, ``spec/schemas/<extension>.json`` (draft 2020-12). Each
schema accepts the UNION of the REST and HTTP API fields of its extension; which fields
apply to which API kind is checked by :mod:`flavour` (W2501/W2502), so a field of the other
kind is reported once, as ignored, and never also as a schema error.

Conventions the schemas follow (and the rules here rely on):

- No ``additionalProperties: false``: API Gateway ignores fields it does not know, so an
  unknown field is a WARNING (W1102), not a schema error. An object schema with
  ``properties`` and no ``additionalProperties`` lists every field AWS reads ("closed");
  one with ``additionalProperties`` is a map or free-form and its keys are never reported.
- Enumerations AWS reads case-insensitively (integration ``type``, ``passthroughBehavior``,
  authorizer and auth ``type``) are a ``pattern``; the annotation ``x-enum-any-case`` lists
  the values, for messages.
- Status codes may be strings or integers (integers are reported by another rule).

Anything at or under a CloudFormation intrinsic (``{"Fn::Sub": ...}``, ``{"Ref": ...}``) is
reported once, by E1090, and skipped by every other rule here.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib.resources import files
from typing import Any, ClassVar

import jsonschema_rs

from apigwctl.diagnostics import Pointer, parse_pointer, pointer_str
from apigwctl.spec.refs import follow
from apigwctl.spec.rules.base import DOCS, Finding, Rule, RuleContext, register
from apigwctl.spec.scan import EXT_PREFIX

SCHEMA_BASE = "https://apigwctl.dev/schemas/"
INTEGRATION = "x-amazon-apigateway-integration"
INTEGRATIONS = "x-amazon-apigateway-integrations"
_EXT_DOCS = DOCS + "api-gateway-swagger-extensions.html"

# Every extension API Gateway reads (reference section 1.0), each with a schema file.
KNOWN_EXTENSIONS: tuple[str, ...] = tuple(EXT_PREFIX + n for n in (
    "integration", "integrations", "any-method", "authorizer", "authtype", "auth",
    "api-key-source", "binary-media-types", "minimum-compression-size", "policy",
    "gateway-responses", "request-validators", "request-validator", "documentation",
    "endpoint-configuration", "endpoint-access-mode", "security-policy", "cors",
    "importexport-version", "tag-value",
))


# --- schemas ---------------------------------------------------------------------------

@cache
def load_schema(extension: str) -> dict[str, Any]:
    """The JSON Schema of ``extension``, read from the package data."""
    res = files("apigwctl") / "spec" / "schemas" / f"{extension}.json"
    data: dict[str, Any] = json.loads(res.read_text(encoding="utf-8"))
    return data


@cache
def _registry() -> Any:
    return jsonschema_rs.Registry(
        [(load_schema(n)["$id"], load_schema(n)) for n in KNOWN_EXTENSIONS])


def _no_network(uri: str) -> Any:
    raise ValueError(f"schema {uri} is not bundled with apigwctl")


def compile_schema(extension: str) -> Any:
    """A jsonschema_rs validator for ``extension``; cross-schema refs stay offline."""
    return jsonschema_rs.validator_for(load_schema(extension), registry=_registry(),
                                       retriever=_no_network)


@cache
def _any_case_enums() -> dict[str, list[str]]:
    """Pattern -> values, for every case-insensitive enumeration in the schemas."""
    out: dict[str, list[str]] = {}
    stack: list[Any] = [load_schema(n) for n in KNOWN_EXTENSIONS]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "x-enum-any-case" in node:
                out[node["pattern"]] = list(node["x-enum-any-case"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def jsonable(node: Any) -> Any:
    """``node`` as JSON data: string keys (YAML reads ``200:`` as int), odd scalars as text."""
    if isinstance(node, Mapping):
        return {str(k): jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [jsonable(v) for v in node]
    if node is None or isinstance(node, (str, int, float, bool)):
        return node
    return str(node)


# --- where extensions are --------------------------------------------------------------

def is_intrinsic(node: Any) -> bool:
    """A CloudFormation intrinsic function: a mapping whose only key is Ref or Fn::*."""
    if not isinstance(node, Mapping) or len(node) != 1:
        return False
    (key,) = node
    return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))


def _norm(pointer: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(t) for t in pointer)


def under_intrinsic(ctx: RuleContext, pointer: Pointer) -> bool:
    """True if ``pointer`` is at or under a CloudFormation intrinsic of the document."""
    roots = {_norm(p) for p, _ in ctx.doc.scan.intrinsics}
    key = _norm(pointer)
    return any(key[:i] in roots for i in range(len(key) + 1))


def _typed(data: Any, tokens: Pointer) -> Pointer:
    """``tokens`` from a ``$ref`` with list indices as ints, as scan pointers have them."""
    out: list[str | int] = []
    node = data
    for tok in tokens:
        if isinstance(node, list) and str(tok).isdigit():
            out.append(int(tok))
            node = node[int(tok)] if int(tok) < len(node) else None
        else:
            out.append(tok)
            node = node.get(tok) if isinstance(node, Mapping) else None
    return tuple(out)


def resolve_site(ctx: RuleContext, pointer: Pointer, value: Any) -> tuple[Pointer, Any]:
    """A site with its ``$ref`` followed: a local target is reported where it is written."""
    if not (isinstance(value, Mapping) and isinstance(value.get("$ref"), str)):
        return pointer, value
    ref = value["$ref"]
    target = ctx.deref(value)
    if ref.startswith("#"):
        try:
            return _typed(ctx.data, parse_pointer(ref)), target
        except ValueError:
            return pointer, target
    return pointer, target


def _in_components_integrations(pointer: Pointer) -> bool:
    return _norm(pointer[:2]) == ("components", INTEGRATIONS)


def extension_values(ctx: RuleContext, name: str) -> Iterator[tuple[Pointer, Any]]:
    """Each value of extension ``name`` (``$ref`` followed), once per distinct target.

    Integrations defined under ``components.x-amazon-apigateway-integrations`` are the
    integrations extension's values, not the referencing operations'.
    """
    return iter(ctx.shared(("extension_values", name), lambda: list(_extension_values(ctx, name))))


def _extension_values(ctx: RuleContext, name: str) -> Iterator[tuple[Pointer, Any]]:
    seen: set[tuple[str, ...]] = set()
    for site, raw in ctx.extension_sites(name):
        pointer, value = resolve_site(ctx, site, raw)
        if name == INTEGRATION and pointer != site and _in_components_integrations(pointer):
            continue
        if _norm(pointer) not in seen:
            seen.add(_norm(pointer))
            yield pointer, value


def integration_nodes(ctx: RuleContext) -> Iterator[tuple[Pointer, Mapping[str, Any]]]:
    """Every integration object: inline, ``$ref`` targets, and reusable HTTP-API ones."""
    return iter(ctx.shared("integration_nodes", lambda: list(_integration_nodes(ctx))))


def _integration_nodes(ctx: RuleContext) -> Iterator[tuple[Pointer, Mapping[str, Any]]]:
    for pointer, node in extension_values(ctx, INTEGRATION):
        if isinstance(node, Mapping) and not is_intrinsic(node):
            yield pointer, node
    for pointer, table in extension_values(ctx, INTEGRATIONS):
        if isinstance(table, Mapping) and not is_intrinsic(table):
            for key, node in table.items():
                if isinstance(node, Mapping) and not is_intrinsic(node):
                    yield (*pointer, key), node


# --- messages --------------------------------------------------------------------------

def label(extension: str, path: Iterable[Any]) -> str:
    """``x-amazon-apigateway-integration.responses.default.statusCode`` style names."""
    out = extension
    for tok in path:
        out += f"[{tok}]" if isinstance(tok, int) else f".{tok}"
    return out


_JSON_TYPES = {str: "a string", bool: "a boolean", int: "an integer", float: "a number",
               dict: "an object", list: "an array", type(None): "null"}
_ARTICLE = {"string": "a string", "integer": "an integer", "number": "a number",
            "boolean": "a boolean", "object": "an object", "array": "an array", "null": "null"}


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _one_of(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _describe(err: Any, where: str) -> tuple[str, str | None]:
    """(message, hint) for one jsonschema_rs error."""
    kind, value = err.kind, err.instance
    detail = kind.as_dict()
    name = kind.name
    if name == "type":
        want = " or ".join(_ARTICLE.get(t, t) for t in detail["types"])
        got = _JSON_TYPES.get(type(value), type(value).__name__)
        return f"`{where}` must be {want}, not {got}", f"write it as {want}"
    if name == "enum":
        return (f"`{where}` is {_show(value)}, not one of {_one_of(detail['options'])}",
                _did_you_mean(str(value), [str(o) for o in detail["options"]]))
    if name == "pattern" and detail["pattern"] in _any_case_enums():
        options = _any_case_enums()[detail["pattern"]]
        return (f"`{where}` is {_show(value)}, not one of {_one_of(options)} (any case)",
                _did_you_mean(str(value), options))
    if name == "required":
        return f"`{where}` has no `{detail['property']}`", f"add `{detail['property']}`"
    if name in ("minimum", "maximum"):
        side = "below the minimum" if name == "minimum" else "above the maximum"
        return f"`{where}` is {_show(value)}, {side} of {detail['limit']}", None
    if name == "const":
        return (f"`{where}` is {_show(value)}; the only accepted value is "
                f"{_show(detail['expected_value'])}", None)
    return f"`{where}`: {err.message.splitlines()[0][:200]}", None


def _did_you_mean(word: str, options: list[str]) -> str | None:
    """``did you mean `X`?`` for a close (or case-only) misspelling of one of ``options``."""
    lowered = {o.lower(): o for o in options}
    if word.lower() in lowered:
        return f"did you mean `{lowered[word.lower()]}`?"
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.75)
    return f"did you mean `{lowered[close[0]]}`?" if close else None


# --- schema rules ----------------------------------------------------------------------

class ExtensionSchemaRule(Rule):
    """Validates every value of ``extension`` against its schema; one finding per error."""

    extension: ClassVar[str]
    hint = "see the extension's reference page for its fields and types"
    _validators: ClassVar[dict[str, Any]] = {}

    @classmethod
    def validator(cls) -> Any:
        if cls.extension not in ExtensionSchemaRule._validators:
            ExtensionSchemaRule._validators[cls.extension] = compile_schema(cls.extension)
        return ExtensionSchemaRule._validators[cls.extension]

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        validator = self.validator()
        for pointer, value in extension_values(ctx, self.extension):
            if under_intrinsic(ctx, pointer) or _plainly_valid(validator, value):
                continue
            for err in validator.iter_errors(jsonable(value)):
                finding = self._finding(ctx, pointer, err)
                if finding is not None:
                    yield finding

    def _finding(self, ctx: RuleContext, site: Pointer, err: Any) -> Finding | None:
        path: list[str | int] = list(err.instance_path)
        if err.kind.name == "propertyNames":
            path.append(str(err.kind.error.instance))
        pointer = (*site, *path)
        if under_intrinsic(ctx, pointer) or _template_placeholder(err):
            return None
        if err.kind.name == "propertyNames":
            inner = err.kind.error.kind.as_dict().get("options", [])
            where = label(self.extension, path[:-1])
            return Finding(pointer, f"`{path[-1]}` is not a valid key of `{where}`; API Gateway "
                           f"accepts {_one_of(inner)}",
                           _did_you_mean(str(path[-1]), [str(o) for o in inner]))
        message, hint = _describe(err, label(self.extension, path))
        return Finding(pointer, message, hint)


_PLACEHOLDER = re.compile(r"^\$\{[^}]+\}$")


def _plainly_valid(validator: Any, value: Any) -> bool:
    """Most values are valid JSON as parsed: check them as they are, without converting."""
    try:
        return bool(validator.is_valid(value))
    except (ValueError, TypeError):  # not JSON as it stands (int keys, sets, ...): convert
        return False


def _template_placeholder(err: Any) -> bool:
    """A whole value such as ``${ttl}`` in a non-string field is a template's business."""
    return (err.kind.name == "type" and isinstance(err.instance, str)
            and bool(_PLACEHOLDER.match(err.instance.strip())))


@register
class IntegrationSchema(ExtensionSchemaRule):
    id = "E1001"
    extension = INTEGRATION
    description = "An integration has a field of the wrong type or an unknown enumerated value."
    doc_url = DOCS + "api-gateway-swagger-extensions-integration.html"


@register
class IntegrationsSchema(ExtensionSchemaRule):
    id = "E1002"
    extension = INTEGRATIONS
    description = "`x-amazon-apigateway-integrations` is not a map of valid integrations."
    doc_url = DOCS + "api-gateway-extensions-integrations.html"


@register
class AnyMethodSchema(ExtensionSchemaRule):
    id = "E1003"
    extension = EXT_PREFIX + "any-method"
    description = "`x-amazon-apigateway-any-method` is not a valid operation object."
    doc_url = DOCS + "api-gateway-swagger-extensions-any-method.html"


@register
class AuthorizerSchema(ExtensionSchemaRule):
    id = "E1004"
    extension = EXT_PREFIX + "authorizer"
    description = "An authorizer has a field of the wrong type, an unknown type or a TTL over 3600."
    doc_url = DOCS + "api-gateway-swagger-extensions-authorizer.html"


@register
class AuthtypeSchema(ExtensionSchemaRule):
    id = "E1005"
    extension = EXT_PREFIX + "authtype"
    description = "`x-amazon-apigateway-authtype` is not a string."
    doc_url = DOCS + "api-gateway-swagger-extensions-authtype.html"


@register
class AuthSchema(ExtensionSchemaRule):
    id = "E1006"
    extension = EXT_PREFIX + "auth"
    description = "`x-amazon-apigateway-auth` is not an object with `type` NONE or AWS_IAM."
    doc_url = DOCS + "api-gateway-swagger-extensions-auth.html"


@register
class ApiKeySourceSchema(ExtensionSchemaRule):
    id = "E1007"
    extension = EXT_PREFIX + "api-key-source"
    description = "`x-amazon-apigateway-api-key-source` is not HEADER or AUTHORIZER."
    doc_url = DOCS + "api-gateway-swagger-extensions-api-key-source.html"


@register
class BinaryMediaTypesSchema(ExtensionSchemaRule):
    id = "E1008"
    extension = EXT_PREFIX + "binary-media-types"
    description = "`x-amazon-apigateway-binary-media-types` is not an array of strings."
    doc_url = DOCS + "api-gateway-swagger-extensions-binary-media-types.html"


@register
class MinimumCompressionSizeSchema(ExtensionSchemaRule):
    id = "E1009"
    extension = EXT_PREFIX + "minimum-compression-size"
    description = "The minimum compression size is not an integer between 0 and 10485760."
    doc_url = DOCS + "api-gateway-openapi-minimum-compression-size.html"


@register
class PolicySchema(ExtensionSchemaRule):
    id = "E1010"
    extension = EXT_PREFIX + "policy"
    description = "`x-amazon-apigateway-policy` is not an IAM policy document object."
    doc_url = DOCS + "openapi-extensions-policy.html"


@register
class GatewayResponsesSchema(ExtensionSchemaRule):
    id = "E1011"
    extension = EXT_PREFIX + "gateway-responses"
    description = "Gateway responses have an unknown response type or a malformed response."
    doc_url = DOCS + "api-gateway-swagger-extensions-gateway-responses.html"


@register
class RequestValidatorsSchema(ExtensionSchemaRule):
    id = "E1012"
    extension = EXT_PREFIX + "request-validators"
    description = "Request validators are not a map of validators with boolean flags."
    doc_url = DOCS + "api-gateway-swagger-extensions-request-validators.html"


@register
class RequestValidatorSchema(ExtensionSchemaRule):
    id = "E1013"
    extension = EXT_PREFIX + "request-validator"
    description = "`x-amazon-apigateway-request-validator` is not a validator name string."
    doc_url = DOCS + "api-gateway-swagger-extensions-request-validator.html"


@register
class DocumentationSchema(ExtensionSchemaRule):
    id = "E1014"
    extension = EXT_PREFIX + "documentation"
    description = "Documentation parts are malformed or have an unknown location type."
    doc_url = DOCS + "api-gateway-swagger-extensions-documentation.html"


@register
class EndpointConfigurationSchema(ExtensionSchemaRule):
    id = "E1015"
    extension = EXT_PREFIX + "endpoint-configuration"
    description = "The endpoint configuration has a field of the wrong type or value."
    doc_url = DOCS + "api-gateway-swagger-extensions-endpoint-configuration.html"


@register
class EndpointAccessModeSchema(ExtensionSchemaRule):
    id = "E1016"
    extension = EXT_PREFIX + "endpoint-access-mode"
    description = "`x-amazon-apigateway-endpoint-access-mode` is not BASIC or STRICT."
    doc_url = DOCS + "openapi-extensions-endpoint-access-mode.html"


@register
class SecurityPolicySchema(ExtensionSchemaRule):
    id = "E1017"
    extension = EXT_PREFIX + "security-policy"
    description = "`x-amazon-apigateway-security-policy` is not a known security policy."
    doc_url = DOCS + "openapi-extensions-security-policy.html"


@register
class CorsSchema(ExtensionSchemaRule):
    id = "E1018"
    extension = EXT_PREFIX + "cors"
    description = "The CORS configuration has a field of the wrong type or a maxAge out of range."
    doc_url = DOCS + "api-gateway-swagger-extensions-cors-configuration.html"


@register
class ImportexportVersionSchema(ExtensionSchemaRule):
    id = "E1019"
    extension = EXT_PREFIX + "importexport-version"
    description = '`x-amazon-apigateway-importexport-version` is not the string "1.0".'
    doc_url = DOCS + "api-gateway-extensions-importexport-version.html"


@register
class TagValueSchema(ExtensionSchemaRule):
    id = "E1020"
    extension = EXT_PREFIX + "tag-value"
    description = "`x-amazon-apigateway-tag-value` is not a string."
    doc_url = DOCS + "api-gateway-openapi-extensions-x-amazon-apigateway-tag-value.html"


# --- unresolved CloudFormation ---------------------------------------------------------

@register
class UnresolvedIntrinsic(Rule):
    """A CloudFormation function left in a standalone document.

    Bodies embedded in a template (``DefinitionBody``/``Body``) are not reported:
    CloudFormation resolves intrinsics in resource properties before API Gateway sees them.
    """

    id = "E1090"
    description = "A standalone document contains an unresolved CloudFormation function."
    # osv's complaint about the same node (`{"Fn::Sub": ...} is not of type "string"`) is
    # this finding; the engine drops it under any intrinsic, so declaring it also lets
    # accounting (bench/validate.py's "no finding lost") see who reports it.
    supersedes = (r'^\{"(?:Ref|Fn::[A-Za-z]+)":',)
    doc_url = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
               "transform-aws-include.html")
    hint = ("resolve it first: validate the template that includes this file, or the "
            "rendered document (`aws cloudformation package`, `sam build`)")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.doc.base:
            return
        for pointer, fn in ctx.doc.scan.intrinsics:
            yield Finding(pointer, f"unresolved CloudFormation function `{fn}`: API Gateway "
                          "imports the document as-is and cannot evaluate it")


# --- extension names and placement -----------------------------------------------------

_LOOKALIKE = re.compile(r"(x-[\w.-]*(?:amazon|apigateway|api-gateway)[\w.-]*)", re.I)


def _close_extension(name: str, cutoff: float) -> str | None:
    close = difflib.get_close_matches(name.lower(), KNOWN_EXTENSIONS, n=1, cutoff=cutoff)
    return close[0] if close else None


def _find_keys(data: Any, wanted: set[str]) -> Iterator[Pointer]:
    """Pointers of every mapping key in ``wanted`` (intrinsics are not entered)."""
    stack: list[tuple[Any, Pointer]] = [(data, ())]
    seen: set[int] = set()
    while stack:
        node, ptr = stack.pop()
        if id(node) in seen or is_intrinsic(node):
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            for k, v in node.items():
                if k in wanted:
                    yield (*ptr, k)
                if isinstance(v, (Mapping, list)):
                    stack.append((v, (*ptr, k)))
        elif isinstance(node, list):
            stack.extend((v, (*ptr, i)) for i, v in enumerate(node)
                         if isinstance(v, (Mapping, list)))


@register
class UnknownExtension(Rule):
    """An ``x-amazon-apigateway-*`` key API Gateway does not know, or a near-miss spelling
    of a known extension (``x-amazon-api-gateway-integration``); both are ignored."""

    id = "W1100"
    description = "An x-amazon-apigateway-* extension name API Gateway does not know (a typo?)."
    doc_url = _EXT_DOCS
    hint = "API Gateway ignores unknown extensions: fix the name or remove the key"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for pointer, name in ctx.doc.scan.extensions:
            if name not in KNOWN_EXTENSIONS:
                yield self._finding(pointer, name, _close_extension(name, 0.75))
        lookalikes = {}
        for m in _LOOKALIKE.finditer(ctx.doc.source.text):
            name = m.group(1)
            if not name.startswith(EXT_PREFIX) and name not in lookalikes:
                lookalikes[name] = _close_extension(name, 0.9)
        wanted = {k: v for k, v in lookalikes.items() if v is not None}
        if wanted:
            for pointer in _find_keys(ctx.data, set(wanted)):
                yield self._finding(pointer, str(pointer[-1]), wanted[str(pointer[-1])])

    @staticmethod
    def _finding(pointer: Pointer, name: str, close: str | None) -> Finding:
        hint = f"did you mean `{close}`?" if close else None
        return Finding(pointer, f"`{name}` is not an API Gateway extension; it is ignored", hint)


def _root_list_items(ctx: RuleContext, key: str) -> list[Any]:
    items = ctx.data.get(key)
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []


def _path_items(ctx: RuleContext) -> list[Any]:
    paths = ctx.data.get("paths")
    return [ctx.deref(i) for i in paths.values()] if isinstance(paths, Mapping) else []


_Home = tuple[list[Any], str, str]


def _homes(ctx: RuleContext) -> dict[str, _Home]:
    """Extension -> (the nodes it may sit in, where that is, how to get it there)."""
    root: list[Any] = [ctx.data]
    ops = [op.node for op in ctx.operations]
    schemes = [s for _, s in ctx.security_schemes.values()]
    comps = ctx.data.get("components")
    at_root: _Home = (root, "at the document root", "to the document root")
    in_scheme: _Home = (schemes, "in a security scheme", "into a security scheme under "
                        + ("components.securitySchemes" if ctx.is_oas3 else "securityDefinitions"))
    in_op: _Home = (ops, "in an operation object", "into each operation (get, post, ... or "
                    "x-amazon-apigateway-any-method)")
    out: dict[str, _Home] = {
        INTEGRATION: in_op,
        INTEGRATIONS: ([comps] if ctx.is_oas3 and isinstance(comps, Mapping) else [],
                       "in the OpenAPI 3 `components` object", "into `components`"),
        EXT_PREFIX + "any-method": (_path_items(ctx), "in a path item, next to get/post/...",
                                    "into the path item under `paths`"),
        EXT_PREFIX + "authorizer": in_scheme,
        EXT_PREFIX + "authtype": in_scheme,
        EXT_PREFIX + "auth": in_op,
        EXT_PREFIX + "request-validator": ([*root, *ops], "at the document root or in an "
                                           "operation", "to the document root or an operation"),
        EXT_PREFIX + "endpoint-configuration": (
            (_root_list_items(ctx, "servers"), "in a root-level servers[] entry in OpenAPI 3",
             "into the first entry of the root `servers` list") if ctx.is_oas3 else
            (root, "at the document root in Swagger 2.0", "to the document root")),
        EXT_PREFIX + "tag-value": (_root_list_items(ctx, "tags"), "in a root-level tags[] entry",
                                   "into the tag object of the root `tags` list"),
    }
    for name in KNOWN_EXTENSIONS:
        out.setdefault(name, at_root)
    return out


@register
class MisplacedExtension(Rule):
    """A known extension where API Gateway does not read it (reference section 1.0), e.g.
    an integration on a path item, api-key-source in an operation, an OpenAPI 3
    endpoint-configuration at the root instead of in ``servers[]``."""

    id = "W1101"
    description = "An x-amazon-apigateway-* extension is placed where API Gateway ignores it."
    doc_url = _EXT_DOCS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        homes = _homes(ctx)
        # Identity sets: the home nodes are compared by identity, once per extension name.
        home_ids = {name: {id(n) for n in nodes} for name, (nodes, _, _) in homes.items()}
        for pointer, name in ctx.doc.scan.extensions:
            if name not in homes:
                continue
            _, where, into = homes[name]
            found, parent = follow(ctx.data, pointer_str(pointer[:-1]))
            if found and id(parent) not in home_ids[name]:
                yield Finding(pointer, f"`{name}` is ignored here: API Gateway reads it {where}",
                              f"move it {into}")


# --- unknown fields --------------------------------------------------------------------

def _resolve(root: Mapping[str, Any], schema: Mapping[str, Any]
             ) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """Follow ``$ref`` within a schema file or to another bundled schema file."""
    for _ in range(16):
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            break
        doc, _, frag = ref.partition("#")
        if doc:
            root = load_schema(doc.removeprefix(SCHEMA_BASE).removesuffix(".json"))
        found, target = follow(root, frag)
        schema = target if found and isinstance(target, Mapping) else {}
    return root, schema


def unknown_fields(root: Mapping[str, Any], schema: Mapping[str, Any], value: Any,
                   path: Pointer = ()) -> Iterator[tuple[Pointer, list[str]]]:
    """(path of the unknown key, the fields known there) for every key a closed object
    schema does not list; ``x-`` keys are left to the extension-name rules."""
    root, schema = _resolve(root, schema)
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            yield from unknown_fields(root, schema["items"], item, (*path, i))
    if not isinstance(value, Mapping) or is_intrinsic(value):
        return
    props: Mapping[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    patterns = schema.get("patternProperties", {})
    for key, child in value.items():
        name = str(key)
        if name in props:
            yield from unknown_fields(root, props[name], child, (*path, key))
        elif isinstance(extra, Mapping):
            yield from unknown_fields(root, extra, child, (*path, key))
        elif (extra is None and props and not name.startswith("x-")
              and not any(re.search(p, name) for p in patterns)):
            yield (*path, key), sorted(props)


@register
class UnknownExtensionField(Rule):
    """A field inside an extension that API Gateway does not read (silently ignored)."""

    id = "W1102"
    description = "An extension object has a field API Gateway does not know; it is ignored."
    doc_url = _EXT_DOCS

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for name in KNOWN_EXTENSIONS:
            schema = load_schema(name)
            for site, value in extension_values(ctx, name):
                for path, known in unknown_fields(schema, schema, value):
                    pointer = (*site, *path)
                    if under_intrinsic(ctx, pointer):
                        continue
                    key = str(path[-1])
                    yield Finding(pointer, f"`{label(name, path[:-1])}` has no field `{key}`; "
                                  "API Gateway ignores it", _field_hint(key, known))


def _field_hint(key: str, known: list[str]) -> str:
    templates = [k for k in known if k.endswith("Templates")]
    if "/" in key and templates:
        return f"a template keyed by a media type belongs under `{templates[0]}`"
    return (_did_you_mean(key, known)
            or f"remove it; the fields read here are {_one_of(known)}")

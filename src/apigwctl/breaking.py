"""Breaking-change report: what a new API definition breaks for the clients of the old one.

Input: two :class:`ApiState` of the same API, ``before`` (live, previously applied, or an old
spec compiled) and ``after`` (the new spec compiled). Output: a :class:`Report` of
:class:`Finding`, each ``breaking`` or a non-breaking addition. Pure: no I/O.

The comparison is of the *contract* the definition states, not of what API Gateway enforces:
a new required query parameter or request property is breaking even when no request
validator checks it, because the backend behind the method now expects it.

Each check is a small function over one pair of methods (or the whole API for routes):

* routes and methods: a route is a resource path with at least one method; a removed route
  is one finding (its methods are not listed again), a removed method on a kept route is
  another. An ``ANY`` method serves every verb: replacing ``GET`` by ``ANY`` removes nothing,
  and a new explicit ``GET`` beside an old ``ANY`` is compared with that ``ANY``.
* parameters (query string and header; path parameters come with the route): new required,
  or optional -> required. New optional ones are additions.
* request body: per content type, the JSON schemas of the request models (refs between
  models followed, ``allOf`` merged): a new required property, a removed property, a type
  change, an enum narrowed, a tighter bound (``maxLength``, ``minimum``, ``pattern``,
  ``additionalProperties: false``, ...). A body model where there was none is compared with
  the empty schema (anything was accepted). ``oneOf``/``anyOf`` are not compared.
* responses: a removed status code, a response model gone for a content type, a response
  field removed or its type changed (walked like request bodies, the other way round).
* authorization: an API key now required, authorization now required (NONE -> other), the
  authorization type changed (CUSTOM, COGNITO_USER_POOLS, AWS_IAM), a custom authorizer of
  another type (TOKEN <-> REQUEST) or reading its identity from elsewhere, Cognito scopes
  narrowed.

Inline (non-``$ref``) schemas produce no model in the compiler, so they are not compared.
Relaxations (auth removed, a parameter now optional) are neither breaking nor additions and
are not listed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from apigwctl.model import ApiState, Authorizer, Method, MethodResponse

REPORT_VERSION = 1

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """One change: ``kind`` is a stable id (``method-removed``), ``address`` the model's
    address of the route or method it is about, ``message`` a sentence for people."""

    kind: str
    address: str
    message: str
    breaking: bool

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "address": self.address, "message": self.message,
                "breaking": self.breaking}


@dataclass(frozen=True)
class Report:
    """Breaking changes and non-breaking additions, each sorted by path, method, kind."""

    breaking: tuple[Finding, ...] = ()
    additions: tuple[Finding, ...] = ()

    @property
    def has_breaking(self) -> bool:
        return bool(self.breaking)

    def to_dict(self) -> dict[str, Any]:
        return {"version": REPORT_VERSION,
                "summary": {"breaking": len(self.breaking), "additions": len(self.additions)},
                "breaking": [f.to_dict() for f in self.breaking],
                "additions": [f.to_dict() for f in self.additions]}


def breaking_changes(before: ApiState, after: ApiState) -> Report:
    """Every breaking change and addition from ``before`` to ``after`` (see the module doc)."""
    ctx = _Context(before, after)
    found = list(_routes_and_methods(ctx))
    for old, new in _method_pairs(before, after):
        for check in _METHOD_CHECKS:
            found.extend(check(ctx, old, new))
    found = sorted(set(found), key=_order)
    return Report(tuple(f for f in found if f.breaking),
                  tuple(f for f in found if not f.breaking))


def _order(finding: Finding) -> tuple[str, str, str, str]:
    """By route path, then method (a route's own finding first), kind and message."""
    kind, _, rest = finding.address.split(":", 2)
    path, verb = rest.rsplit(":", 1) if kind == "method" else (rest, "")
    return path, verb, finding.kind, finding.message


def render_report(report: Report) -> str:
    """The report as text: breaking changes, then additions, then a one-line summary."""
    lines: list[str] = []
    for title, findings, mark in (("Breaking changes", report.breaking, "!"),
                                  ("Non-breaking additions", report.additions, "+")):
        if findings:
            lines.append(f"{title} ({len(findings)}):")
            lines += [f"  {mark} {f.message}  [{f.kind}]" for f in findings]
            lines.append("")
    lines.append(f"{_count(len(report.breaking), 'breaking change')}, "
                 f"{_count(len(report.additions), 'addition')}.")
    return "\n".join(lines) + "\n"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- context --------------------------------------------------------------------------------


@dataclass
class _Context:
    before: ApiState
    after: ApiState
    before_models: dict[str, Schema] = field(init=False)
    after_models: dict[str, Schema] = field(init=False)

    def __post_init__(self) -> None:
        self.before_models = _schemas(self.before)
        self.after_models = _schemas(self.after)

    def address(self, method: Method, *, old: bool = False) -> str:
        name = (self.before if old else self.after).name
        return f"method:{name}:{method.path}:{method.http_method}"

    def authorizer(self, name: str | None, *, old: bool) -> Authorizer | None:
        state = self.before if old else self.after
        return next((a for a in state.authorizers if a.name == name), None)


def _schemas(state: ApiState) -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for model in state.models:
        doc = json.loads(model.schema) if model.schema else {}
        out[model.name] = doc if isinstance(doc, Mapping) else {}
    return out


def _label(method: Method) -> str:
    return f"{method.http_method} {method.path}"


# -- routes and methods ---------------------------------------------------------------------


def _by_key(state: ApiState) -> dict[tuple[str, str], Method]:
    return {(m.path, m.http_method): m for m in state.methods}


def _method_pairs(before: ApiState, after: ApiState) -> Iterator[tuple[Method, Method]]:
    """(old, new) for each method served before and after; ANY stands in for every verb."""
    old, new = _by_key(before), _by_key(after)
    for (path, verb), method in old.items():
        counterpart = new.get((path, verb)) or new.get((path, "ANY"))
        if counterpart is not None:
            yield method, counterpart
    for (path, verb), method in new.items():
        if (path, verb) not in old and (path, "ANY") in old:
            yield old[(path, "ANY")], method


def _routes_and_methods(ctx: _Context) -> Iterator[Finding]:
    old, new = _by_key(ctx.before), _by_key(ctx.after)
    old_paths, new_paths = {p for p, _ in old}, {p for p, _ in new}
    for path in sorted(old_paths - new_paths):
        verbs = ", ".join(sorted(v for p, v in old if p == path))
        yield Finding("route-removed", f"resource:{ctx.before.name}:{path}",
                      f"route {path} was removed (methods {verbs})", True)
    for path in sorted(new_paths - old_paths):
        verbs = ", ".join(sorted(v for p, v in new if p == path))
        yield Finding("route-added", f"resource:{ctx.after.name}:{path}",
                      f"route {path} was added (methods {verbs})", False)
    for (path, verb), method in sorted(old.items()):
        if path in new_paths and (path, verb) not in new and (path, "ANY") not in new:
            yield Finding("method-removed", ctx.address(method, old=True),
                          f"{_label(method)} was removed", True)
    for (path, verb), method in sorted(new.items()):
        if path in old_paths and (path, verb) not in old and (path, "ANY") not in old:
            yield Finding("method-added", ctx.address(method),
                          f"{_label(method)} was added", False)


# -- parameters -----------------------------------------------------------------------------

_LOCATIONS = {"querystring": "query parameter", "header": "header", "path": "path parameter"}


def _parameter_name(key: str) -> str:
    """``method.request.querystring.limit`` -> ``query parameter `limit```."""
    _, _, location, name = key.split(".", 3)
    return f"{_LOCATIONS.get(location, location)} `{name}`"


def _check_parameters(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    before = dict(old.request_parameters)
    for key, required in new.request_parameters:
        if key.startswith("method.request.path."):
            continue  # path parameters are part of the route
        what = _parameter_name(key)
        if key not in before:
            if required:
                yield Finding("parameter-required-added", ctx.address(new),
                              f"{_label(new)}: new required {what}", True)
            else:
                yield Finding("parameter-added", ctx.address(new),
                              f"{_label(new)}: new optional {what}", False)
        elif required and not before[key]:
            yield Finding("parameter-now-required", ctx.address(new),
                          f"{_label(new)}: {what} is now required", True)


# -- request and response bodies ------------------------------------------------------------


def _check_request_body(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    before = dict(old.request_models)
    for ctype, name in new.request_models:
        where = f"{_label(new)}: request body ({ctype})"
        if ctype not in before and before:
            yield Finding("request-content-type-added", ctx.address(new),
                          f"{where} is newly accepted", False)
            continue
        walker = _Walker(ctx, request=True)
        old_schema: Schema = {"$ref": f"#/models/{before[ctype]}"} if ctype in before else {}
        walker.compare(old_schema, {"$ref": f"#/models/{name}"}, "")
        yield from walker.findings(ctx.address(new), where)


def _check_responses(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    after = {r.status_code: r for r in new.method_responses}
    before = {r.status_code for r in old.method_responses}
    for response in old.method_responses:
        counterpart = after.get(response.status_code)
        if counterpart is None:
            yield Finding("response-status-removed", ctx.address(new),
                          f"{_label(new)}: response {response.status_code} was removed", True)
        else:
            yield from _check_response_models(ctx, new, response, counterpart)
    for code in sorted(set(after) - before):
        yield Finding("response-status-added", ctx.address(new),
                      f"{_label(new)}: new response {code}", False)


def _check_response_models(ctx: _Context, new: Method, old_response: MethodResponse,
                           new_response: MethodResponse) -> Iterator[Finding]:
    after = dict(new_response.response_models)
    for ctype, name in old_response.response_models:
        where = f"{_label(new)}: response {old_response.status_code} ({ctype})"
        if ctype not in after:
            yield Finding("response-model-removed", ctx.address(new),
                          f"{where} no longer has a model", True)
            continue
        walker = _Walker(ctx, request=False)
        walker.compare({"$ref": f"#/models/{name}"}, {"$ref": f"#/models/{after[ctype]}"}, "")
        yield from walker.findings(ctx.address(new), where)


_TIGHTER_IF_LOWER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_TIGHTER_IF_HIGHER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_MAX_DEPTH = 32


class _Walker:
    """Compares two JSON schemas, collecting (kind, field, text, breaking).

    ``request=True``: the new schema must accept whatever the old one did (narrowing breaks).
    ``request=False``: a response; clients must still find every field, of the same type.
    """

    def __init__(self, ctx: _Context, *, request: bool) -> None:
        self.ctx = ctx
        self.request = request
        self.found: list[tuple[str, str, str, bool]] = []
        self.seen: set[tuple[str, str]] = set()

    def findings(self, address: str, where: str) -> Iterator[Finding]:
        for kind, at, text, breaking in self.found:
            subject = f"{where} field `{at}`" if at else where
            yield Finding(kind, address, f"{subject} {text}", breaking)

    def add(self, kind: str, at: str, text: str, breaking: bool = True) -> None:
        prefix = "request" if self.request else "response"
        self.found.append((f"{prefix}-{kind}", at, text, breaking))

    def compare(self, old: Schema, new: Schema, at: str, depth: int = 0) -> None:
        key = (_ref_of(old), _ref_of(new))
        if depth > _MAX_DEPTH or (key[0] and key[1] and key in self.seen):
            return  # this pair of models is compared already (where first met): recursion
        self.seen.add(key)
        old_s = _resolve(old, self.ctx.before_models)
        new_s = _resolve(new, self.ctx.after_models)
        if self._types(old_s, new_s, at):
            return  # another type: its properties are not comparable
        if self.request:
            self._request_constraints(old_s, new_s, at)
        self._properties(old_s, new_s, at, depth)
        old_items, new_items = old_s.get("items"), new_s.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            self.compare(old_items, new_items, f"{at}[]", depth + 1)

    def _types(self, old: Schema, new: Schema, at: str) -> bool:
        """Report a type change that breaks; True when two stated types differ (then the
        properties are not compared; from "any type", they still are)."""
        old_t, new_t = _types(old), _types(new)
        if old_t == new_t:
            return False
        if self.request and not _covers(new_t, old_t):
            self.add("type-changed", at, f"type narrowed from {_show(old_t)} to {_show(new_t)}")
        elif not self.request and not _covers(old_t, new_t):
            self.add("type-changed", at, f"type changed from {_show(old_t)} to {_show(new_t)}")
        return bool(old_t and new_t)

    def _properties(self, old: Schema, new: Schema, at: str, depth: int) -> None:
        old_p, new_p = _dict(old.get("properties")), _dict(new.get("properties"))
        for name in sorted(set(old_p) - set(new_p)):
            self.add("field-removed", _join(at, name), "was removed")
        if self.request:
            self._required(old, new, old_p, new_p, at)
        for name in sorted(set(new_p) - set(old_p)):
            if not self.request:
                self.add("field-added", _join(at, name), "was added", False)
            elif name not in _required(new):
                self.add("field-added", _join(at, name), "was added (optional)", False)
        for name in sorted(set(old_p) & set(new_p)):
            self.compare(_dict(old_p[name]), _dict(new_p[name]), _join(at, name), depth + 1)

    def _required(self, old: Schema, new: Schema, old_p: Schema, new_p: Schema,
                  at: str) -> None:
        for name in sorted(_required(new) - _required(old)):
            if name in old_p:
                self.add("field-now-required", _join(at, name), "is now required")
            else:
                self.add("field-required-added", _join(at, name), "is new and required")

    def _request_constraints(self, old: Schema, new: Schema, at: str) -> None:
        if "enum" in new:
            old_enum = {_canon(v) for v in old.get("enum") or ()}
            new_enum = {_canon(v) for v in new.get("enum") or ()}
            gone = sorted(old_enum - new_enum)
            if "enum" not in old:
                self.add("enum-narrowed", at, f"is now limited to {_show(sorted(new_enum))}")
            elif gone:
                self.add("enum-narrowed", at, f"no longer accepts {_show(gone)}")
        for name in (*_TIGHTER_IF_LOWER, *_TIGHTER_IF_HIGHER):
            if _tighter(name, old.get(name), new.get(name)):
                was = f" from {_canon(old[name])}" if name in old else ""
                self.add("constraint-narrowed", at,
                         f"{name} tightened{was} to {_canon(new[name])}")
        if "pattern" in new and new.get("pattern") != old.get("pattern"):
            self.add("constraint-narrowed", at, f"pattern is now {_canon(new['pattern'])}")
        if new.get("additionalProperties") is False and old.get("additionalProperties") \
                is not False:
            self.add("constraint-narrowed", at, "no longer accepts additional properties")


def _tighter(name: str, old: Any, new: Any) -> bool:
    if not isinstance(new, (int, float)) or isinstance(new, bool):
        return False
    if not isinstance(old, (int, float)) or isinstance(old, bool):
        return True  # a bound where there was none
    return new < old if name in _TIGHTER_IF_LOWER else new > old


def _ref_of(node: Schema) -> str:
    ref = node.get("$ref")
    return ref if isinstance(ref, str) else ""


def _resolve(node: Schema, models: Mapping[str, Schema],
             seen: frozenset[str] = frozenset()) -> Schema:
    """Follow ``#/models/X`` refs and merge ``allOf`` parts (properties, required, type).

    ``seen``: the refs followed on the way here; a ref back to one of them resolves to ``{}``.
    """
    ref = _ref_of(node)
    if ref.startswith("#/models/"):
        if ref in seen:
            return {}
        return _resolve(models.get(ref[len("#/models/"):], {}), models, seen | {ref})
    parts = node.get("allOf")
    if not isinstance(parts, list):
        return node
    merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
    properties = dict(_dict(merged.get("properties")))
    required = set(_required(merged))
    for part in parts:
        resolved = _resolve(_dict(part), models, seen)
        properties.update(_dict(resolved.get("properties")))
        required |= _required(resolved)
        for key, value in resolved.items():
            if key not in ("properties", "required"):
                merged.setdefault(key, value)
    if properties:
        merged["properties"] = properties
    if required:
        merged["required"] = sorted(required)
    return merged


def _types(schema: Schema) -> frozenset[str]:
    """The schema's types; inferred from properties/items when ``type`` is absent; empty: any."""
    raw = schema.get("type")
    if isinstance(raw, str):
        return frozenset({raw})
    if isinstance(raw, list):
        return frozenset(str(t) for t in raw)
    if "properties" in schema:
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    return frozenset()


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Every value of a ``narrow`` type is a value of a ``wide`` type (empty: any type)."""
    if not wide:
        return True
    if not narrow:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _required(schema: Schema) -> set[str]:
    raw = schema.get("required")
    return {str(r) for r in raw} if isinstance(raw, list) else set()


def _dict(value: Any) -> Schema:
    return value if isinstance(value, Mapping) else {}


def _join(at: str, name: str) -> str:
    return f"{at}.{name}" if at else name


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _show(values: Iterable[str]) -> str:
    items = sorted(values)
    return ", ".join(items) if items else "any"


# -- authorization --------------------------------------------------------------------------


def _check_api_key(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    if new.api_key_required and not old.api_key_required:
        yield Finding("api-key-required", ctx.address(new),
                      f"{_label(new)} now requires an API key", True)


def _auth_name(method: Method) -> str:
    if method.authorizer:
        return f"{method.authorization_type} (authorizer {method.authorizer})"
    return method.authorization_type


def _check_authorization(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    if new.authorization_type == "NONE":
        return
    if old.authorization_type == "NONE":
        yield Finding("authorization-required", ctx.address(new),
                      f"{_label(new)} now requires authorization: {_auth_name(new)}", True)
    elif old.authorization_type != new.authorization_type:
        yield Finding("authorizer-type-changed", ctx.address(new),
                      f"{_label(new)}: authorization changed from {_auth_name(old)} to "
                      f"{_auth_name(new)}", True)
    elif new.authorization_type == "CUSTOM":
        yield from _check_custom_authorizer(ctx, old, new)
    elif new.authorization_type == "COGNITO_USER_POOLS":
        yield from _check_scopes(ctx, old, new)


def _check_custom_authorizer(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    """Same authorization type CUSTOM: the authorizers' own type and identity source."""
    was = ctx.authorizer(old.authorizer, old=True)
    now = ctx.authorizer(new.authorizer, old=False)
    if was is None or now is None:
        return
    if was.type != now.type:
        yield Finding("authorizer-type-changed", ctx.address(new),
                      f"{_label(new)}: authorizer changed from {was.type} ({was.name}) to "
                      f"{now.type} ({now.name})", True)
    elif was.identity_source != now.identity_source:
        yield Finding("authorizer-identity-source-changed", ctx.address(new),
                      f"{_label(new)}: authorizer identity source changed from "
                      f"{was.identity_source or 'none'} to {now.identity_source or 'none'}",
                      True)


def _check_scopes(ctx: _Context, old: Method, new: Method) -> Iterator[Finding]:
    """A token needs one of the listed scopes; no list accepts any (ID) token."""
    gone = set(old.authorization_scopes) - set(new.authorization_scopes)
    if (gone or not old.authorization_scopes) and new.authorization_scopes:
        what = (f"no longer accepts scopes {', '.join(sorted(gone))}" if gone else
                f"now requires one of scopes {', '.join(new.authorization_scopes)}")
        yield Finding("authorization-scopes-narrowed", ctx.address(new),
                      f"{_label(new)} {what}", True)


_METHOD_CHECKS = (_check_parameters, _check_request_body, _check_responses, _check_api_key,
                  _check_authorization)

"""Mapping templates and integration responses of REST integrations.

Selection patterns (the keys of an integration's ``responses``) are Java regular
expressions. They are checked with Python's ``re``, which is close but not the same:

- Java-only syntax (``\\p{Alpha}``, ``\\Q...\\E``, ``\\z``, ``\\h``, ``\\R``, class
  unions and intersections ``[[a]]``/``[a-z&&[^e]]``, possessive quantifiers ``a*+``, atomic
  groups ``(?>...)``, inline flags after the start) makes the pattern "unknown": it is not
  reported;
- ``(?<name>...)`` is rewritten to Python's ``(?P<name>...)`` before compiling, and Python's
  own ``(?P<name>...)``, which Java rejects, is reported;
- a ``{`` that does not start a ``{n}``/``{n,}``/``{n,m}`` quantifier is literal in Python
  but "Illegal repetition" in Java, so it is reported.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from apigwctl.diagnostics import Pointer
from apigwctl.spec.rules.base import DOCS, Finding, Rule, RuleContext, register
from apigwctl.spec.rules.integration import PROXY_TYPES, REST_ONLY, Site, is_int, sites, text_at
from apigwctl.spec.vtl import check_vtl

_TEMPLATES = DOCS + "models-mappings.html"
_RESPONSES = DOCS + "api-gateway-swagger-extensions-integration-response.html"
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*(\s*;.*)?$")
_JAVA_ONLY = re.compile(r"\\[pPQEzhHRXGec0]|\\x\{|&&|\[\[|[*+?}]\+|\(\?>|.\(\?[a-zA-Z]+\)",
                        re.DOTALL)
_QUANTIFIER = re.compile(r"\{\d+(,\d*)?\}")
MAX_TEMPLATE_BYTES = 300 * 1024
_MAX_VTL_ERRORS = 5


class _Template(NamedTuple):
    media: str
    text: str
    key: Pointer  # the media-type key
    pointer: Pointer  # the template string (inside Fn::Sub when wrapped)


def _templates(site: Site) -> Iterator[_Template]:
    """Request and response templates of an integration."""
    holders: list[tuple[Any, Pointer]] = [(site.node.get("requestTemplates"),
                                           (*site.pointer, "requestTemplates"))]
    responses = site.node.get("responses")
    if isinstance(responses, Mapping):
        for key, resp in responses.items():
            if isinstance(resp, Mapping):
                holders.append((resp.get("responseTemplates"),
                                (*site.pointer, "responses", key, "responseTemplates")))
    for holder, base in holders:
        if isinstance(holder, Mapping):
            for media in holder:
                found = text_at(holder, media, base)
                text, pointer = found if found else ("", (*base, media))
                yield _Template(str(media), text, (*base, media), pointer)


def _responses(site: Site) -> Iterator[tuple[str, Mapping[str, Any], Pointer]]:
    responses = site.node.get("responses")
    if site.type in PROXY_TYPES or not isinstance(responses, Mapping):
        return  # ignored by API Gateway on proxies (W2016)
    for key, resp in responses.items():
        if isinstance(resp, Mapping):
            yield str(key), resp, (*site.pointer, "responses", key)


@register
class TemplateKeyNotMediaType(Rule):
    """API Gateway picks a template by the request's Content-Type (response templates by
    Accept), so a key that is not a media type is never selected. UNVERIFIED whether import
    rejects such keys; reported as a warning."""

    id = "W2200"
    description = "A mapping template key is not a media type (type/subtype)."
    doc_url = _TEMPLATES
    hint = "key templates by a concrete media type, e.g. application/json"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for tpl in _templates(site):
                if not _MEDIA_TYPE.match(tpl.media):
                    yield Finding(tpl.key, f"template key {tpl.media!r} is not a media type")


@register
class VtlSyntaxError(Rule):
    """Velocity rejects the template, so every request (or response) using it fails with
    500 "Internal server error"; API Gateway does not check templates on import."""

    id = "E2201"
    description = "A mapping template is not valid Velocity (VTL) syntax."
    doc_url = DOCS + "api-gateway-mapping-template-reference.html"
    hint = "fix the template; positions are line:col inside the template text"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for tpl in _templates(site):
                for err in check_vtl(tpl.text)[:_MAX_VTL_ERRORS]:
                    yield Finding(tpl.pointer, f"{tpl.media} template, line {err.line} col "
                                  f"{err.col}: {err.message}")


def java_regex_problem(pattern: str) -> str | None:
    """Why Java would reject ``pattern``, or None (also when it cannot be told)."""
    if "(?P" in pattern:
        return "(?P...) is Python syntax; Java writes named groups as (?<name>...)"
    if _JAVA_ONLY.search(pattern):
        return None
    problem = _illegal_repetition(pattern)
    if problem:
        return problem
    try:
        with warnings.catch_warnings():  # FutureWarnings about syntax Java reads differently
            warnings.simplefilter("ignore")
            re.compile(re.sub(r"\(\?<([A-Za-z][A-Za-z0-9]*)>", r"(?P<\1>", pattern))
    except re.error as exc:
        return str(exc)
    return None


def _illegal_repetition(pattern: str) -> str | None:
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        elif ch == "{" and not in_class and not _QUANTIFIER.match(pattern, i):
            return f"'{{' at position {i} does not start a {{n,m}} quantifier (Java: Illegal " \
                   "repetition); escape it as \\{"
        i += 1
    return None


@register
class BadSelectionPattern(Rule):
    """Response keys other than ``default`` are Java regexes matched against the backend
    status code (HTTP) or Lambda errorMessage. Checked with Python ``re`` (see the module
    docstring for the differences); UNVERIFIED whether import rejects a bad pattern, so a
    warning."""

    id = "W2202"
    description = "An integration response key (selection pattern) is not a valid regex."
    doc_url = _RESPONSES
    hint = "write a Java regular expression, e.g. 4\\d{2} or .*NotFound.*; escape literal { ( ["
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for key, resp, pointer in _responses(site):
                patterns = [(key, pointer)] if key != "default" else []
                if isinstance(resp.get("selectionPattern"), str):
                    patterns.append((resp["selectionPattern"], (*pointer, "selectionPattern")))
                for pattern, where in patterns:
                    problem = java_regex_problem(pattern)
                    if problem:
                        yield Finding(where, f"selection pattern {pattern!r} is not a valid "
                                      f"regular expression: {problem}")


@register
class NumericStatusCode(Rule):
    """API Gateway's statusCode is a string; YAML ``statusCode: 200`` is an integer that
    import has been seen to accept, but it is not the documented form."""

    id = "W2203"
    description = "An integration response statusCode is given as a number."
    doc_url = _RESPONSES
    hint = 'quote it: statusCode: "200"'
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for _, resp, pointer in _responses(site):
                if is_int(resp.get("statusCode")):
                    yield Finding((*pointer, "statusCode"), "status codes given as numbers: "
                                  f"statusCode {resp['statusCode']} should be the string "
                                  f"\"{resp['statusCode']}\"")


@register
class UndeclaredStatusCode(Rule):
    """An integration response needs a method response with its status code. Import reports
    the missing method response as a warning (failing the import with failOnWarnings);
    UNVERIFIED whether some forms are a hard error, so a warning. An OpenAPI ``default``
    response is taken to cover every status code."""

    id = "W2204"
    description = "An integration response uses a status code the operation does not declare."
    doc_url = DOCS + "api-gateway-import-api-errors-warnings.html"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx, per_operation=True):
            declared = set(ctx.responses(site.op))
            if "default" in declared:
                continue
            for _, resp, pointer in _responses(site):
                status = resp.get("statusCode")
                if (isinstance(status, str) or is_int(status)) and str(status) not in declared:
                    yield Finding((*pointer, "statusCode"), f"statusCode {status} is not among "
                                  f"the responses of {site.op.method} {site.op.path} "
                                  f"({', '.join(sorted(declared)) or 'none'})",
                                  f"add a '{status}' response to the operation's `responses`")


@register
class TemplateTooLarge(Rule):
    """The mapping template size quota is 300 KB and cannot be raised."""

    id = "E2205"
    description = "A mapping template is larger than 300 KB."
    doc_url = DOCS + "api-gateway-known-issues.html"
    hint = "shrink the template (move logic to the backend); the 300 KB quota cannot be raised"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for tpl in _templates(site):
                size = len(tpl.text.encode("utf-8", "surrogatepass"))
                if size > MAX_TEMPLATE_BYTES:
                    yield Finding(tpl.pointer, f"{tpl.media} template is {size:,} bytes; the "
                                  f"limit is {MAX_TEMPLATE_BYTES:,} bytes (300 KB)")

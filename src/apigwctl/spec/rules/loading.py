"""Rules reported while loading and by the structural OpenAPI pass.

They are registered like every other rule so ``apigwctl rules`` lists them and their ids
stay stable; the loader (or the structure pass) emits the findings.
"""

from __future__ import annotations

from collections.abc import Iterator

from apigwctl.spec.loader import SpecVersion
from apigwctl.spec.rules.base import DOCS, Finding, Rule, RuleContext, register

_IMPORT = DOCS + "api-gateway-import-api.html"
_KNOWN = DOCS + "api-gateway-known-issues.html"


class _LoaderRule(Rule):
    reported_by_loader = True
    doc_url = _IMPORT


@register
class ParseError(_LoaderRule):
    id = "E0001"
    description = "The file cannot be read or parsed as UTF-8 YAML or JSON."


@register
class FileTooLarge(_LoaderRule):
    id = "E0002"
    description = "The file is larger than the size bound (API Gateway's own limit is 6 MB)."
    doc_url = DOCS + "limits.html"


@register
class NestingTooDeep(_LoaderRule):
    id = "E0003"
    description = "The document nests deeper than the depth bound."


@register
class AliasBomb(_LoaderRule):
    id = "E0004"
    description = "YAML aliases expand the document beyond the node bound, or into themselves."


@register
class NotAMapping(_LoaderRule):
    id = "E0005"
    description = "The document's top level is not a mapping."


@register
class DuplicateKey(_LoaderRule):
    id = "E0006"
    description = "A mapping has the same key twice; parsers silently keep only one."


@register
class RemoteRef(_LoaderRule):
    id = "E0010"
    description = "A $ref points to a URL; apigwctl never fetches from the network."


@register
class RefOutsideFolder(_LoaderRule):
    id = "E0011"
    description = "A $ref points to a file outside the spec's own folder."


@register
class UnresolvedRef(_LoaderRule):
    id = "E0012"
    description = "A $ref target does not exist."


@register
class RefCycle(_LoaderRule):
    id = "E0013"
    description = "Local $refs point at each other in a cycle and never reach a definition."
    supersedes = (r"nested too deeply for structural validation$",)


@register
class UnsupportedVersion(Rule):
    id = "E0020"
    description = "API Gateway imports only Swagger 2.0 and OpenAPI 3.0, not 3.1."
    doc_url = DOCS + "api-gateway-import-api.html"
    hint = 'declare `openapi: "3.0.3"` and avoid 3.1-only features (type arrays, const, ...)'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.version is SpecVersion.OAS31:
            yield Finding(("openapi",), f"OpenAPI {ctx.doc.version_text} cannot be imported: "
                          "API Gateway accepts only Swagger 2.0 and OpenAPI 3.0.x")


@register
class UnquotedVersion(_LoaderRule):
    id = "W0021"
    description = "The version field is a YAML number (`swagger: 2.0`), not a string."
    supersedes = (r'^\d+(\.\d+)* is not of type "string"$', r"^\d+(\.\d+)* is not one of ")


@register
class UnknownVersion(Rule):
    id = "E0022"
    description = "The document declares no OpenAPI/Swagger version API Gateway knows."
    doc_url = DOCS + "api-gateway-import-api.html"
    hint = 'use `swagger: "2.0"` or `openapi: "3.0.3"`'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.version is SpecVersion.UNKNOWN:
            key = "swagger" if "swagger" in ctx.data else "openapi"
            yield Finding((key,), f"unsupported version {ctx.doc.version_text!r}: API Gateway "
                          "imports Swagger 2.0 and OpenAPI 3.0.x")


@register
class OpenApiStructure(Rule):
    id = "E0100"
    description = "The document violates the OpenAPI specification (openapi-spec-validator)."
    doc_url = "https://spec.openapis.org/oas/v3.0.3"
    hint = "see the OpenAPI specification for this object"

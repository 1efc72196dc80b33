"""Root-level REST extensions: request validators, gateway responses, the resource policy,
the endpoint configuration, binary media types and the TLS security policy.

The endpoint *type* is not part of the OpenAPI body (import takes it as a parameter), so it
is known only when the document declares it: inside a CloudFormation template (the
resource's ``EndpointConfiguration`` / ``Parameters``) or as a ``types`` list in
``x-amazon-apigateway-endpoint-configuration`` (not read by API Gateway, but the author's
stated intent). Rules about private APIs stay silent when the type is unknown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import ApiKind, SourceFile, SpecDocument, parse_text
from apigwctl.spec.rules.auth import is_intrinsic, present
from apigwctl.spec.rules.base import DOCS, Finding, Rule, RuleContext, register

REST = frozenset({ApiKind.REST})
VALIDATORS = "x-amazon-apigateway-request-validators"
VALIDATOR = "x-amazon-apigateway-request-validator"
RESPONSES = "x-amazon-apigateway-gateway-responses"
POLICY = "x-amazon-apigateway-policy"
ENDPOINT = "x-amazon-apigateway-endpoint-configuration"

_VALIDATION_DOC = DOCS + "api-gateway-request-validation-set-up.html"
_RESPONSES_DOC = DOCS + "api-gateway-swagger-extensions-gateway-responses.html"
_POLICY_DOC = DOCS + "openapi-extensions-policy.html"
_PRIVATE_DOC = DOCS + "apigateway-private-apis.html"


class _RestRule(Rule):
    kinds = REST


# --------------------------------------------------------------------------- validators


def _validator_names(ctx: RuleContext) -> set[str] | None:
    defined = ctx.deref(ctx.data.get(VALIDATORS))
    return {str(k) for k in defined} if isinstance(defined, Mapping) else None


def _validator_uses(ctx: RuleContext) -> Iterator[tuple[Pointer, str]]:
    """Every validator name used: the root default and each operation's override."""
    root = ctx.data.get(VALIDATOR)
    if isinstance(root, str):
        yield (VALIDATOR,), root
    for op in ctx.operations:
        name = op.node.get(VALIDATOR)
        if isinstance(name, str):
            yield (*op.pointer, VALIDATOR), name


@register
class UndefinedRequestValidator(_RestRule):
    """Import only warns about an unknown validator name; apigwctl imports with
    failOnWarnings, and without it the method silently goes unvalidated."""

    id = "E2400"
    description = "A validator name is not defined in x-amazon-apigateway-request-validators."
    doc_url = _VALIDATION_DOC

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        defined = _validator_names(ctx) or set()
        known = ", ".join(sorted(defined)) or "none"
        for ptr, name in _validator_uses(ctx):
            if name not in defined:
                yield Finding(ptr, f"request validator {name!r} is not defined (defined: "
                              f"{known})", f"define {name!r} under {VALIDATORS} at the root, "
                              "or use one of the defined names")


@register
class UnusedRequestValidator(_RestRule):
    id = "I2401"
    description = "A request validator is defined but no operation (nor the root default) uses it."
    doc_url = _VALIDATION_DOC
    hint = "reference it with x-amazon-apigateway-request-validator, or remove it"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        used = {name for _, name in _validator_uses(ctx)}
        for name in sorted(_validator_names(ctx) or ()):
            if name not in used:
                yield Finding((VALIDATORS, name), f"request validator {name!r} is never used")


# --------------------------------------------------------------------------- gateway responses

GATEWAY_RESPONSE_TYPES = frozenset({
    "DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY",
    "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR",
    "INVALID_SIGNATURE", "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE",
    "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "REQUEST_TOO_LARGE", "THROTTLED",
    "QUOTA_EXCEEDED", "WAF_FILTERED",
})


def _gateway_responses(ctx: RuleContext) -> Mapping[str, Any]:
    raw = ctx.deref(ctx.data.get(RESPONSES))
    return raw if isinstance(raw, Mapping) and not is_intrinsic(raw) else {}


@register
class UnknownGatewayResponseType(_RestRule):
    id = "E2402"
    description = "A gateway response key is not one of API Gateway's response types."
    doc_url = _RESPONSES_DOC
    hint = "use a type such as DEFAULT_4XX, UNAUTHORIZED, THROTTLED (see the developer guide)"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for key in _gateway_responses(ctx):
            if str(key) not in GATEWAY_RESPONSE_TYPES:
                close = str(key).upper().replace("-", "_")
                extra = f" (did you mean {close}?)" if close in GATEWAY_RESPONSE_TYPES else ""
                yield Finding((RESPONSES, key), f"{key!r} is not a gateway response type{extra}")


@register
class RequestTooLargeCustomized(_RestRule):
    id = "W2403"
    description = "The REQUEST_TOO_LARGE gateway response is customized (documented unsupported)."
    doc_url = DOCS + "api-gateway-known-issues.html"
    hint = "remove it; API Gateway answers 413 itself and ignores the customization"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if "REQUEST_TOO_LARGE" in _gateway_responses(ctx):
            yield Finding((RESPONSES, "REQUEST_TOO_LARGE"), "customizing the REQUEST_TOO_LARGE "
                          "(413) gateway response is documented as unsupported")


_GR_PARAM = re.compile(r"^gatewayresponse\.(header|path|querystring)\.[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@register
class GatewayResponseParameterKey(_RestRule):
    id = "E2404"
    description = "A gateway response parameter key is not gatewayresponse.{where}.{name}."
    doc_url = _RESPONSES_DOC
    hint = "write gatewayresponse.header.<Name> (or .path.<name> / .querystring.<name>)"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for rtype, raw in _gateway_responses(ctx).items():
            resp = ctx.deref(raw)
            params = resp.get("responseParameters") if isinstance(resp, Mapping) else None
            if not isinstance(params, Mapping) or is_intrinsic(params):
                continue
            for key in params:
                if not _GR_PARAM.match(str(key)):
                    yield Finding((RESPONSES, rtype, "responseParameters", key),
                                  f"gateway response parameter {key!r} is not "
                                  "gatewayresponse.{header|path|querystring}.{name}")


# --------------------------------------------------------------------------- resource policy

_VERSIONS = ("2012-10-17", "2008-10-17")
POLICY_MAX_CHARS = 8192


def _policy(ctx: RuleContext) -> Mapping[str, Any] | None:
    raw = ctx.deref(ctx.data.get(POLICY))
    return raw if isinstance(raw, Mapping) and not is_intrinsic(raw) else None


def _statement_problems(stmt: Mapping[str, Any]) -> Iterator[tuple[str | None, str]]:
    """(key to point at or None for the statement, what is wrong) for one statement."""
    effect = stmt.get("Effect")
    if not is_intrinsic(effect) and effect not in ("Allow", "Deny"):
        what = "has no Effect" if effect is None else f"has Effect {effect!r}"
        yield ("Effect" if effect is not None else None), f"{what}; it must be Allow or Deny"
    if "Action" not in stmt and "NotAction" not in stmt:
        yield None, "has neither Action nor NotAction"
    if "Principal" not in stmt and "NotPrincipal" not in stmt:
        yield None, "has no Principal: a resource policy must say whom it applies to"


@register
class PolicyNotIam(_RestRule):
    id = "E2405"
    description = "x-amazon-apigateway-policy is not a valid IAM policy document."
    doc_url = _POLICY_DOC
    hint = ('write {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", '
            'Action: execute-api:Invoke, Resource: "execute-api:/*"}]}')

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        policy = _policy(ctx)
        if policy is None:
            return
        version = policy.get("Version")
        if version is not None and not is_intrinsic(version) and version not in _VERSIONS:
            yield Finding((POLICY, "Version"), f"policy Version {version!r} is not "
                          "\"2012-10-17\" (or the legacy \"2008-10-17\")")
        stmts = policy.get("Statement")
        if is_intrinsic(stmts) or not isinstance(stmts, (Mapping, list, type(None))):
            return  # a Statement of the wrong type is E1010's (the schema's) finding
        if isinstance(stmts, Mapping):
            items: list[tuple[Pointer, Any]] = [((POLICY, "Statement"), stmts)]
        elif isinstance(stmts, list) and stmts:
            items = [((POLICY, "Statement", i), s) for i, s in enumerate(stmts)]
        else:
            ptr = (POLICY, "Statement") if "Statement" in policy else (POLICY,)
            yield Finding(ptr, "the policy has no statements")
            return
        for here, stmt in items:
            if not isinstance(stmt, Mapping):
                yield Finding(here, "a policy statement must be an object")
            elif not is_intrinsic(stmt):
                for key, problem in _statement_problems(stmt):
                    yield Finding((*here, key) if key else here, f"policy statement {problem}")


@register
class PolicyLenientForm(_RestRule):
    """IAM accepts both forms; they are flagged because they are easy to get wrong."""

    id = "W2406"
    description = "The resource policy relies on IAM leniency (Statement not a list, no Version)."
    doc_url = _POLICY_DOC

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        policy = _policy(ctx)
        if policy is None:
            return
        if "Version" not in policy:
            yield Finding((POLICY,), "the policy has no Version: IAM assumes \"2008-10-17\", "
                          "which does not support policy variables",
                          'add Version: "2012-10-17"')
        if isinstance(policy.get("Statement"), Mapping) and not is_intrinsic(policy["Statement"]):
            yield Finding((POLICY, "Statement"), "Statement is a single object; IAM accepts it "
                          "but tools that merge policies expect a list",
                          "write Statement as a list: Statement: [{...}]")


@register
class PolicyTooLong(_RestRule):
    """The 8,192-character quota can be raised, so this is a warning."""

    id = "W2407"
    description = "The resource policy is longer than the 8,192-character quota."
    doc_url = DOCS + "limits.html"
    hint = "merge statements or use wildcards, or request a higher resource-policy quota"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        policy = _policy(ctx)
        if policy is None:
            return
        size = len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False, default=str))
        if size > POLICY_MAX_CHARS:
            yield Finding((POLICY,), f"the resource policy is at least {size:,} characters "
                          f"serialized, over the {POLICY_MAX_CHARS:,}-character quota")


# --------------------------------------------------------------------------- endpoint

ENDPOINT_TYPES = ("EDGE", "REGIONAL", "PRIVATE")


@dataclass
class EndpointFacts:
    """What the document (or its CloudFormation resource) says about the endpoint."""

    types: list[tuple[Pointer, str]] = field(default_factory=list)
    template_policy: bool = False

    @property
    def declared(self) -> bool:
        return bool(self.types)

    @property
    def private(self) -> bool:
        return any(t.upper() == "PRIVATE" for _, t in self.types)


@lru_cache(maxsize=4)
def _template(source: SourceFile) -> Any:
    try:
        data, _, _ = parse_text(source.path, source.text)
    except Exception:  # the loader already reported why it cannot be parsed
        return None
    return data


def resource_properties(doc: SpecDocument) -> Mapping[str, Any]:
    """Properties of the CloudFormation resource embedding ``doc`` ({} for a plain file),
    over SAM's ``Globals.Api`` for an ``AWS::Serverless::Api``."""
    if len(doc.base) < 2:
        return {}
    template = _template(doc.source)
    node = template
    for token in doc.base[:-2]:
        node = node.get(token) if isinstance(node, Mapping) else None
    resource = node if isinstance(node, Mapping) else {}
    props = resource.get("Properties")
    merged = dict(props) if isinstance(props, Mapping) else {}
    if resource.get("Type") == "AWS::Serverless::Api" and isinstance(template, Mapping):
        globals_ = template.get("Globals")
        api = globals_.get("Api") if isinstance(globals_, Mapping) else None
        if isinstance(api, Mapping):
            merged = {k: _merge(api.get(k), merged.get(k)) for k in {*api, *merged}}
    return merged


def _merge(default: Any, value: Any) -> Any:
    """SAM Globals merge: mappings key by key (one level is enough here), else override."""
    if isinstance(default, Mapping) and isinstance(value, Mapping):
        return {**default, **value}
    return default if value is None else value


def _listed(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [v for v in items if isinstance(v, str)]


def _template_types(props: Mapping[str, Any]) -> list[str]:
    conf = props.get("EndpointConfiguration")
    found = _listed(conf)  # SAM: EndpointConfiguration: PRIVATE
    if isinstance(conf, Mapping):
        found += _listed(conf.get("Type")) + _listed(conf.get("Types"))
    params = props.get("Parameters")
    if isinstance(params, Mapping):
        found += [t.strip() for v in _listed(params.get("endpointConfigurationTypes"))
                  for t in v.split(",")]
    return found


def endpoint_facts(ctx: RuleContext) -> EndpointFacts:
    facts = EndpointFacts()
    props = resource_properties(ctx.doc)
    facts.types += [((), t) for t in _template_types(props)]
    auth = props.get("Auth")
    facts.template_policy = present(props.get("Policy")) or (
        isinstance(auth, Mapping) and present(auth.get("ResourcePolicy")))
    for ptr, conf in ctx.extension_sites(ENDPOINT):
        types = conf.get("types") if isinstance(conf, Mapping) else None
        if isinstance(types, list):
            facts.types += [((*ptr, "types", i), t) for i, t in enumerate(types)
                            if isinstance(t, str)]
        elif isinstance(types, str):
            facts.types.append(((*ptr, "types"), types))
    return facts


@register
class UnknownEndpointType(_RestRule):
    id = "E2408"
    description = "A declared endpoint type is not EDGE, REGIONAL or PRIVATE."
    doc_url = DOCS + "api-gateway-api-endpoint-types.html"
    hint = "use EDGE, REGIONAL or PRIVATE (upper case)"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ptr, value in endpoint_facts(ctx).types:
            if value not in ENDPOINT_TYPES:
                where = "" if ptr else " (in the CloudFormation resource)"
                yield Finding(ptr, f"endpoint type {value!r}{where} is not EDGE, REGIONAL "
                              "or PRIVATE")


@register
class PrivateApiWithoutPolicy(_RestRule):
    """CreateDeployment fails with "Private REST API doesn't have a resource policy
    attached to it" (seen in Terraform and SAM issues), hence an error."""

    id = "E2409"
    description = "A PRIVATE API has no resource policy, so it cannot be deployed or invoked."
    doc_url = _PRIVATE_DOC
    hint = ("add x-amazon-apigateway-policy allowing execute-api:Invoke from your VPC "
            "endpoint (aws:SourceVpce condition)")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        facts = endpoint_facts(ctx)
        if facts.private and POLICY not in ctx.data and not facts.template_policy:
            ptr = next(p for p, t in facts.types if t.upper() == "PRIVATE")
            yield Finding(ptr, "the API is PRIVATE but has no resource policy: deployment "
                          "fails and nobody can invoke it")


@register
class VpcEndpointsOnNonPrivateApi(_RestRule):
    id = "E2410"
    description = "vpcEndpointIds is set but the API's declared endpoint type is not PRIVATE."
    doc_url = DOCS + "api-gateway-swagger-extensions-endpoint-configuration.html"
    hint = "make the API PRIVATE, or remove vpcEndpointIds"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        facts = endpoint_facts(ctx)
        if not facts.declared or facts.private:
            return
        kinds = "/".join(sorted({t for _, t in facts.types}))
        for ptr, conf in ctx.extension_sites(ENDPOINT):
            if isinstance(conf, Mapping) and present(conf.get("vpcEndpointIds")):
                yield Finding((*ptr, "vpcEndpointIds"), f"vpcEndpointIds on a {kinds} API: "
                              "import fails with \"VPCEndpoints can only be specified with "
                              "PRIVATE apis\"")


# --------------------------------------------------------------------------- binary, TLS

_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")


@register
class BinaryMediaTypeMalformed(_RestRule):
    id = "E2411"
    description = "A binary media type is not a type/subtype media range."
    doc_url = DOCS + "api-gateway-payload-encodings.html"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        types = ctx.data.get("x-amazon-apigateway-binary-media-types")
        if not isinstance(types, list):
            return
        for i, value in enumerate(types):
            if not isinstance(value, str) or _MEDIA_TYPE.match(value):
                continue
            if "~1" in value:
                hint = (f"write {value.replace('~1', '/')!r}: ~1 escapes '/' only in patch "
                        "paths and SAM's BinaryMediaTypes, not in the OpenAPI body")
            else:
                hint = "write a media type such as image/png, image/* or */*"
            yield Finding(("x-amazon-apigateway-binary-media-types", i),
                          f"{value!r} is not a media type (type/subtype)", hint)


@register
class SecurityPolicyWithoutAccessMode(_RestRule):
    id = "E2412"
    description = "A SecurityPolicy_* TLS policy has no x-amazon-apigateway-endpoint-access-mode."
    doc_url = DOCS + "openapi-extensions-security-policy.html"
    hint = "add x-amazon-apigateway-endpoint-access-mode: STRICT (or BASIC)"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        policy = ctx.data.get("x-amazon-apigateway-security-policy")
        if isinstance(policy, str) and policy.startswith("SecurityPolicy_") \
                and "x-amazon-apigateway-endpoint-access-mode" not in ctx.data:
            yield Finding(("x-amazon-apigateway-security-policy",), f"security policy "
                          f"{policy!r} requires an endpoint access mode, and none is set")

"""Every default and canonical form API Gateway applies, one function per AWS behaviour.

Both :mod:`apigwctl.compile` (spec -> desired) and :mod:`apigwctl.aws.reader` (AWS -> live) call
these functions and nothing else re-implements them: that is what makes desired and live state
compare equal. Each function's docstring names the AWS behaviour it encodes and
``tests/unit/test_normalize.py`` has a test named after it.

Decisions where the live value depends on ids the spec cannot know:

* ``cacheNamespace``: AWS defaults it to the resource ID. The model stores the resource PATH
  instead (:func:`cache_namespace`): the compiler fills the path, the reader folds the live
  resource id back to the path, the writer turns the path into the id.
* Resource policy: import expands the shorthand resource ``execute-api:/...`` into
  ``arn:<partition>:execute-api:<region>:<account>:<apiId>/...``. The model keeps the SHORTHAND
  (:func:`canonical_policy` folds the expanded ARN of this API back), so desired state needs
  neither the region, the account nor the API id; :func:`expand_policy` does the reverse.
* Model schemas: import rewrites ``#/definitions/X`` / ``#/components/schemas/X`` into
  ``https://apigateway.amazonaws.com/restapis/<apiId>/models/X``; the model stores ``#/models/X``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from apigwctl.model import (
    BoolMap,
    Integration,
    IntegrationResponse,
    MethodSetting,
    StrMap,
    Throttle,
)

DEFAULT_TIMEOUT_MS = 29000
DEFAULT_AUTHORIZER_TTL = 300
API_KEY_HEADER = "x-api-key"
LOCATIONS = {"query": "querystring", "path": "path", "header": "header"}


def str_map(value: Mapping[Any, Any] | None) -> StrMap:
    """Maps: AWS returns an empty map or omits it for the same thing; keys compare unordered."""
    return tuple(sorted((str(k), str(v)) for k, v in (value or {}).items()))


def bool_map(value: Mapping[Any, Any] | None) -> BoolMap:
    """Boolean maps (request parameters, method response parameters), canonical like str_map."""
    return tuple(sorted((str(k), bool(v)) for k, v in (value or {}).items()))


def sorted_set(values: Iterable[Any] | None) -> tuple[str, ...]:
    """Lists AWS treats as sets (binary media types, provider ARNs, ...): sorted, unique."""
    return tuple(sorted({str(v) for v in values or ()}))


def optional_str(value: Any) -> str | None:
    """AWS omits empty strings (description, selectionPattern, ...): "" and absent are one."""
    return None if value is None or value == "" else str(value)


def status_code(value: Any) -> str:
    """statusCode is a string in AWS; YAML may give an int key (200:)."""
    return str(value)


def integration_type(value: Any) -> str:
    """Integration.type is an upper-case enum (AWS_PROXY...); the extension allows lower case."""
    return str(value).upper()


def passthrough_behavior(value: Any) -> str:
    """passthroughBehavior: upper-case enum, WHEN_NO_MATCH when absent."""
    return str(value).upper() if value else "WHEN_NO_MATCH"


def timeout_in_millis(value: Any) -> int:
    """timeoutInMillis defaults to 29000 on REST APIs."""
    return int(value) if value is not None else DEFAULT_TIMEOUT_MS


def connection_type(value: Any) -> str:
    """connectionType defaults to INTERNET."""
    return str(value).upper() if value else "INTERNET"


def cache_namespace(value: Any, path: str, resource_id: str | None = None) -> str:
    """cacheNamespace defaults to the resource id; the model stores the resource path instead."""
    if value is None or value in ("", resource_id):
        return path
    return str(value)


def cache_key_parameters(values: Iterable[Any] | None) -> tuple[str, ...]:
    """cacheKeyParameters are a set: order does not matter."""
    return sorted_set(values)


def integration_uri(type_: str, uri: Any) -> str | None:
    """A MOCK integration has no uri (AWS stores none; "" means none for any type)."""
    if type_ == "MOCK" and not uri:
        return None
    return optional_str(uri)


def selection_pattern(key: Any) -> str | None:
    """Integration response key `default` (or an empty pattern) = no selectionPattern."""
    return None if key in (None, "", "default") else str(key)


def content_type_map(value: Mapping[Any, Any] | None) -> StrMap:
    """requestTemplates / responseTemplates / models maps: keyed by content type as written.

    AWS keeps the content-type keys verbatim (no case folding observed); only surrounding
    whitespace is dropped. Empty and absent are one. An empty template is stored and returned
    as ``null`` (``{"application/json": null}``, aws/aws-cli#1610): ``null`` and ``""`` are one.
    """
    return tuple(sorted((str(k).strip(), "" if v is None else str(v))
                        for k, v in (value or {}).items()))


def request_parameter(location: str, name: str) -> str | None:
    """Operation parameters become `method.request.{querystring|path|header}.<name>`.

    Cookie and body parameters have no method request parameter: None.
    """
    loc = LOCATIONS.get(location)
    return f"method.request.{loc}.{name}" if loc else None


def parameter_required(location: str, required: Any) -> bool:
    """Path parameters are always required; others as declared (default false)."""
    return location == "path" or bool(required)


def authorizer_type(value: Any) -> str:
    """Authorizer.type is upper case: TOKEN | REQUEST | COGNITO_USER_POOLS."""
    return str(value).upper()


def authorizer_ttl(value: Any) -> int:
    """authorizerResultTtlInSeconds defaults to 300."""
    return int(value) if value is not None else DEFAULT_AUTHORIZER_TTL


def identity_source(type_: str, value: Any, scheme: Mapping[str, Any]) -> str | None:
    """TOKEN and Cognito authorizers default identitySource to the scheme's header.

    The security scheme's `name` (e.g. Authorization) becomes `method.request.header.<name>`.
    Comma-separated sources compare after trimming the spaces around commas.
    """
    if value:
        return ",".join(part.strip() for part in str(value).split(","))
    if type_ in ("TOKEN", "COGNITO_USER_POOLS") and scheme.get("name"):
        return f"method.request.header.{scheme['name']}"
    return None


def is_iam_authtype(authtype: Any) -> bool:
    """x-amazon-apigateway-authtype `awsSigv4` (anything starting with aws) means AWS_IAM."""
    return isinstance(authtype, str) and authtype.lower().startswith("aws")


def is_api_key_scheme(scheme: Mapping[str, Any]) -> bool:
    """A method needs an API key when it references {type: apiKey, name: x-api-key, in: header}.

    A scheme carrying an authorizer, or an IAM authtype (``awsSigv4``), is an authorizer, not
    the API key; any other authtype (``apiKey``, as bench/gen_spec.py writes) leaves it the
    API key — the emulator's importer reads it the same way (AWS's own reading of such an
    authtype is unverified; the two sides must agree).
    """
    return (scheme.get("type") == "apiKey" and scheme.get("in") == "header"
            and str(scheme.get("name", "")).lower() == API_KEY_HEADER
            and not isinstance(scheme.get("x-amazon-apigateway-authorizer"), Mapping)
            and not is_iam_authtype(scheme.get("x-amazon-apigateway-authtype")))


def authorization_type_of(scheme: Mapping[str, Any]) -> str | None:
    """The authorizationType a security scheme gives a method (None: it is not an authorizer).

    Authorizer of type cognito_user_pools -> COGNITO_USER_POOLS; token/request -> CUSTOM;
    authtype awsSigv4 -> AWS_IAM.
    """
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    if isinstance(authorizer, Mapping):
        kind = authorizer_type(authorizer.get("type", "token"))
        return "COGNITO_USER_POOLS" if kind == "COGNITO_USER_POOLS" else "CUSTOM"
    if is_iam_authtype(scheme.get("x-amazon-apigateway-authtype")):
        return "AWS_IAM"
    return None


def endpoint_types(values: Iterable[Any] | None) -> tuple[str, ...]:
    """endpointConfiguration.types: upper case; EDGE when nothing says otherwise (import)."""
    types = tuple(sorted({str(v).upper() for v in values or ()}))
    return types or ("EDGE",)


def api_key_source(value: Any) -> str:
    """apiKeySource: HEADER unless AUTHORIZER is set."""
    return str(value).upper() if value else "HEADER"


def binary_media_types(values: Iterable[Any] | None) -> tuple[str, ...]:
    """binaryMediaTypes is a set; the patch path form escapes `/` as `~1`, folded back here."""
    return sorted_set(str(v).replace("~1", "/") for v in values or ())


def canonical_json(value: Any) -> str:
    """JSON documents (policy, model schema) compare as sorted-key compact JSON."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _parse_json_text(text: str) -> Any:
    """AWS returns RestApi.policy with its quotes backslash-escaped; accept both forms."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return json.loads(text.replace('\\"', '"').replace("\\\\", "\\"))


def _policy_arn(api_id: str) -> re.Pattern[str]:
    return re.compile(r"^arn:aws[a-z-]*:execute-api:[^:]*:[^:]*:" + re.escape(api_id) + "/")


def _map_resources(doc: Any, fn: Any) -> Any:
    if isinstance(doc, dict):
        return {k: (_map_resource_value(v, fn) if k in ("Resource", "NotResource")
                    else _map_resources(v, fn)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_map_resources(v, fn) for v in doc]
    return doc


def _map_resource_value(value: Any, fn: Any) -> Any:
    if isinstance(value, list):
        return [fn(v) if isinstance(v, str) else v for v in value]
    return fn(value) if isinstance(value, str) else value


def canonical_policy(policy: Any, api_id: str | None = None) -> str | None:
    """x-amazon-apigateway-policy: import expands `execute-api:/*` to this API's ARN.

    The model keeps the shorthand: given the live API id, the expanded ARN of THIS API is
    folded back to `execute-api:/`. ARNs of other APIs are left alone.
    """
    if policy in (None, "", {}):
        return None
    doc = _parse_json_text(policy) if isinstance(policy, str) else policy
    if api_id:
        pattern = _policy_arn(api_id)
        doc = _map_resources(doc, lambda s: pattern.sub("execute-api:/", s))
    return canonical_json(doc)


def expand_policy(policy: str, partition: str, region: str, account: str, api_id: str) -> str:
    """The reverse of canonical_policy: what AWS stores for a shorthand policy."""
    prefix = f"arn:{partition}:execute-api:{region}:{account}:{api_id}/"
    doc = _map_resources(json.loads(policy),
                         lambda s: prefix + s[len("execute-api:/"):]
                         if s.startswith("execute-api:/") else s)
    return canonical_json(doc)


_SPEC_REF = re.compile(r"^#/(?:definitions|components/schemas)/(.+)$")
_LIVE_REF = re.compile(r"^https://apigateway\.amazonaws\.com/restapis/[^/]+/models/(.+)$")


def model_ref(ref: str) -> str:
    """Import rewrites model $refs to `https://apigateway.amazonaws.com/restapis/<id>/models/X`.

    Both that and the spec forms become `#/models/X`; other refs are kept.
    """
    for pattern in (_SPEC_REF, _LIVE_REF):
        m = pattern.match(ref)
        if m:
            return f"#/models/{m.group(1)}"
    return ref


def live_model_ref(ref: str, api_id: str) -> str:
    """The reverse of model_ref: the form AWS stores for `#/models/X`."""
    if ref.startswith("#/models/"):
        return f"https://apigateway.amazonaws.com/restapis/{api_id}/models/{ref[9:]}"
    return ref


def map_refs(schema: Any, fn: Any) -> Any:
    """Apply fn to every `$ref` string of a JSON schema."""
    if isinstance(schema, dict):
        return {k: (fn(v) if k == "$ref" and isinstance(v, str) else map_refs(v, fn))
                for k, v in schema.items()}
    if isinstance(schema, list):
        return [map_refs(v, fn) for v in schema]
    return schema


def model_schema(schema: Any) -> str | None:
    """Model.schema is a JSON string; compared as canonical JSON with canonical refs."""
    if schema is None or schema == "":
        return None
    doc = json.loads(schema) if isinstance(schema, str) else schema
    return canonical_json(map_refs(doc, model_ref))


def model_name_of_ref(ref: Any) -> str | None:
    """A request/response schema `$ref` to a named schema becomes that model's NAME."""
    if not isinstance(ref, str):
        return None
    canonical = model_ref(ref)
    return canonical[9:] if canonical.startswith("#/models/") else None


# -- stages, usage plans and API keys (reference aws-apigateway.md §5-§7) ----------------------

ALL_METHODS_KEY = "*/*"
CACHE_CLUSTER_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")
DEFAULT_CACHE_CLUSTER_SIZE = "0.5"


def method_key(key: str) -> str:
    """A method key as ``/path/METHOD`` (``*/*`` for every method), whatever form AWS uses.

    Stage ``methodSettings`` come back keyed ``~1pets~1{petId}/GET`` (the patch-path form,
    JSON-pointer escaped: aws-cli ``get-stage``/``update-stage`` examples, reference §6.3),
    Terraform writes ``pets/{petId}/GET``, usage-plan method throttles use ``/pets/GET`` and
    ``//GET`` for the root (reference §7). All become ``/pets/{petId}/GET``; the root's is
    ``//GET``. The method part is upper-cased.
    """
    if key == ALL_METHODS_KEY:
        return key
    path, _, method = key.rpartition("/")
    path = path.replace("~1", "/").replace("~0", "~")
    return "/" + path.lstrip("/") + "/" + method.upper()


def method_key_patch_path(key: str) -> str:
    """The reverse of :func:`method_key` for update_stage patch paths (reference §6.3):
    ``/pets/{petId}/GET`` -> ``~1pets~1{petId}/GET``; ``*/*`` unchanged. The caller
    prefixes ``/`` and appends the setting (``/~1pets~1{petId}/GET/caching/enabled``)."""
    if key == ALL_METHODS_KEY:
        return key
    path, _, method = key.rpartition("/")
    return path.replace("~", "~0").replace("/", "~1") + "/" + method


# MethodSetting field -> (AWS's member name, update_stage patch suffix): reference §6.3.
METHOD_SETTING_FIELDS: dict[str, tuple[str, str]] = {
    "metrics_enabled": ("metricsEnabled", "metrics/enabled"),
    "logging_level": ("loggingLevel", "logging/loglevel"),
    "data_trace_enabled": ("dataTraceEnabled", "logging/dataTrace"),
    "throttling_burst_limit": ("throttlingBurstLimit", "throttling/burstLimit"),
    "throttling_rate_limit": ("throttlingRateLimit", "throttling/rateLimit"),
    "caching_enabled": ("cachingEnabled", "caching/enabled"),
    "cache_ttl_in_seconds": ("cacheTtlInSeconds", "caching/ttlInSeconds"),
    "cache_data_encrypted": ("cacheDataEncrypted", "caching/dataEncrypted"),
    "require_authorization_for_cache_control": (
        "requireAuthorizationForCacheControl", "caching/requireAuthorizationForCacheControl"),
    "unauthorized_cache_control_header_strategy": (
        "unauthorizedCacheControlHeaderStrategy",
        "caching/unauthorizedCacheControlHeaderStrategy"),
}


def method_setting(key: str, raw: Mapping[str, Any]) -> MethodSetting:
    """One ``Stage.methodSettings`` entry as AWS returns it: a member AWS leaves out keeps
    the default AWS fills in (MethodSetting's own: aws-cli ``update-stage`` example output,
    throttling 10000/5000, TTL 300, SUCCEED_WITH_RESPONSE_HEADER); numbers and booleans may
    come as strings from a patch (``"true"``, ``"300"``)."""
    given: dict[str, Any] = {}
    for name, (member, _) in METHOD_SETTING_FIELDS.items():
        if raw.get(member) is not None:
            given[name] = _setting_value(name, raw[member])
    given["logging_level"] = logging_level(given.get("logging_level"))
    return MethodSetting(key=method_key(key), **given)


def _setting_value(name: str, value: Any) -> Any:
    if name == "throttling_rate_limit":
        return float(value)
    if name in ("throttling_burst_limit", "cache_ttl_in_seconds"):
        return int(value)
    if name.endswith("_strategy") or name == "logging_level":
        return str(value)
    return value if isinstance(value, bool) else str(value).lower() == "true"


def logging_level(value: Any) -> str:
    """MethodSetting.loggingLevel: AWS omits it while logging is off (aws-cli ``update-stage``
    example output); OFF | ERROR | INFO, upper case."""
    return str(value).upper() if value else "OFF"


def cache_cluster_size(enabled: bool, size: Any) -> str | None:
    """Stage.cacheClusterSize: AWS reports a size (``"0.5"``) even while the cache is off
    (aws-cli ``get-stage`` example: ``cacheClusterEnabled: false, cacheClusterSize: "0.5"``),
    and enabling the cache without a size gives 0.5 GB. The model keeps None while the cache
    is off, and the size as AWS's enum text (``118``, not ``118.0``) while it is on."""
    if not enabled:
        return None
    if size is None or size == "":
        return DEFAULT_CACHE_CLUSTER_SIZE
    number = float(size)
    return str(int(number)) if number.is_integer() else str(number)


def tracing_enabled(value: Any) -> bool:
    """Stage.tracingEnabled: false when absent (moto omits it until set; AWS returns false)."""
    return bool(value)


def access_log(raw: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    """Stage.accessLogSettings -> (destinationArn, format): absent, ``{}`` and empty strings
    are all "no access log" (after ``remove /accessLogSettings``, reference §6.3)."""
    raw = raw or {}
    return optional_str(raw.get("destinationArn")), optional_str(raw.get("format"))


def throttle(rate_limit: Any, burst_limit: Any) -> Throttle:
    """ThrottleSettings as AWS stores it: ``burstLimit`` an int, ``rateLimit`` a double, a
    missing member 0 (Terraform's aws_api_gateway_usage_plan defaults both to 0 likewise)."""
    return Throttle(burst_limit=int(burst_limit or 0), rate_limit=float(rate_limit or 0.0))


def usage_plan_throttle(raw: Mapping[str, Any] | None) -> Throttle | None:
    """UsagePlan.throttle: absent or ``{}`` is no throttle (reference §7)."""
    if not raw:
        return None
    return throttle(raw.get("rateLimit"), raw.get("burstLimit"))


def quota(raw: Mapping[str, Any] | None) -> tuple[int | None, str | None, int]:
    """UsagePlan.quota -> (limit, period, offset): absent is (None, None, 0); a missing offset
    is 0 (QuotaSettings.offset, reference §7); the period is upper case."""
    if not raw:
        return None, None, 0
    limit = raw.get("limit")
    period = raw.get("period")
    return (None if limit is None else int(limit), str(period).upper() if period else None,
            int(raw.get("offset") or 0))


def api_stage_throttle(raw: Mapping[str, Any] | None) -> tuple[tuple[str, Throttle], ...]:
    """ApiStage.throttle: keys ``/{resourcePath}/{METHOD}`` (reference §7) folded by
    :func:`method_key`; each value a :func:`throttle` (an empty one throttles at 0)."""
    return tuple(sorted((method_key(str(k)), throttle((v or {}).get("rateLimit"),
                                                      (v or {}).get("burstLimit")))
                        for k, v in (raw or {}).items()))


def api_key_enabled(value: Any) -> bool:
    """A key of the deployment file is enabled unless it says ``enabled: false``: ImportApiKeys'
    ``Enabled`` column defaults to true (reference §5), unlike CreateApiKey's ``enabled``
    (false): a writer using create_api_key passes it explicitly."""
    return True if value is None else bool(value)


def live_api_key_enabled(value: Any) -> bool:
    """ApiKey.enabled as read: AWS always returns it; absent would mean CreateApiKey's
    default, false."""
    return bool(value)


def integration(raw: Mapping[str, Any], cache_namespace: str | None,
                responses: tuple[IntegrationResponse, ...]) -> Integration:
    """An integration in canonical form. The spec's x-amazon-apigateway-integration and AWS's
    get_integration spell these fields alike; only the cache namespace (a path in the spec,
    a resource id live) and the responses (keyed by pattern vs by code) are read apart."""
    type_ = integration_type(raw.get("type", ""))
    tls_config = raw.get("tlsConfig")
    tls = tls_config.get("insecureSkipVerification") if isinstance(tls_config, Mapping) else None
    return Integration(
        type=type_,
        http_method=optional_str(raw.get("httpMethod")),
        uri=integration_uri(type_, raw.get("uri")),
        credentials=optional_str(raw.get("credentials")),
        request_parameters=str_map(raw.get("requestParameters")),
        request_templates=content_type_map(raw.get("requestTemplates")),
        passthrough_behavior=passthrough_behavior(raw.get("passthroughBehavior")),
        content_handling=optional_str(raw.get("contentHandling")),
        timeout_in_millis=timeout_in_millis(raw.get("timeoutInMillis")),
        cache_namespace=cache_namespace,
        cache_key_parameters=cache_key_parameters(raw.get("cacheKeyParameters")),
        connection_type=connection_type(raw.get("connectionType")),
        connection_id=optional_str(raw.get("connectionId")),
        tls_insecure_skip_verification=None if tls is None else bool(tls),
        responses=responses,
    )

"""One model for desired and live API Gateway state: frozen, canonical, keyed by address.

The compiler (spec -> desired) and the reader (AWS -> live) both build these dataclasses, and
both go through :mod:`apigwctl.normalize` for every default and canonical form, so that two
states describing the same API compare equal with ``==``.

Invariants (every class):

* Maps are ``tuple[tuple[key, value], ...]`` sorted by key (see ``normalize.str_map``); sets are
  sorted tuples; an absent map and an empty map are the same value, ``()``.
* Nothing AWS identifies by id appears here: an authorizer, validator or model is referenced by
  NAME, a resource by PATH. Live ids live beside the model in :attr:`ApiState.ids`, which takes
  no part in equality.
* Defaults AWS fills in on import (timeout 29000, passthrough WHEN_NO_MATCH, ...) are filled in,
  so "absent" and "the default" are never two different values.

Addresses: ``api:<name>``, ``resource:<api>:<path>``, ``method:<api>:<path>:<METHOD>``,
``authorizer:<api>:<name>``, ``validator:<api>:<name>``, ``gateway_response:<api>:<TYPE>``,
``model:<api>:<name>``, ``stage:<api>:<stage>``; and, account-wide objects the deployment file
declares, ``usage_plan:<name>`` and ``api_key:<name>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

StrMap = tuple[tuple[str, str], ...]
BoolMap = tuple[tuple[str, bool], ...]


_MAP_TYPES = ("StrMap", "BoolMap", "StrMap | None", "tuple[tuple[str, Throttle], ...]")


def _plain(value: Any, is_map: bool = False) -> Any:
    """JSON-ready form of a model value: map fields become dicts, other tuples lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name), f.type in _MAP_TYPES)
                for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, tuple):
        return {k: _plain(v) for k, v in value} if is_map else [_plain(v) for v in value]
    return value


class _ToDict:
    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of the compared fields (ids are not part of it)."""
        result: dict[str, Any] = _plain(self)
        return result


@dataclass(frozen=True)
class IntegrationResponse(_ToDict):
    """One integration response; AWS keys them by status code, so the code is unique."""

    status_code: str
    selection_pattern: str | None = None  # None = the `default` response
    response_parameters: StrMap = ()
    response_templates: StrMap = ()
    content_handling: str | None = None


@dataclass(frozen=True)
class Integration(_ToDict):
    """A method's integration as AWS returns it (upper-case enums, defaults filled)."""

    type: str
    http_method: str | None = None
    uri: str | None = None  # None for MOCK
    credentials: str | None = None
    request_parameters: StrMap = ()
    request_templates: StrMap = ()
    passthrough_behavior: str = "WHEN_NO_MATCH"
    content_handling: str | None = None
    timeout_in_millis: int = 29000
    cache_namespace: str | None = None  # the resource PATH when AWS defaulted it to the id
    cache_key_parameters: tuple[str, ...] = ()
    connection_type: str = "INTERNET"
    connection_id: str | None = None
    tls_insecure_skip_verification: bool | None = None
    responses: tuple[IntegrationResponse, ...] = ()  # sorted by status_code


@dataclass(frozen=True)
class MethodResponse(_ToDict):
    status_code: str
    response_parameters: BoolMap = ()
    response_models: StrMap = ()  # content type -> model NAME


@dataclass(frozen=True)
class Method(_ToDict):
    """A method with its request settings, method responses and integration."""

    path: str
    http_method: str  # upper case; ANY for x-amazon-apigateway-any-method
    authorization_type: str = "NONE"
    authorizer: str | None = None  # authorizer NAME
    authorization_scopes: tuple[str, ...] = ()
    api_key_required: bool = False
    request_parameters: BoolMap = ()  # method.request.{querystring|path|header}.X -> required
    request_models: StrMap = ()  # content type -> model NAME
    request_validator: str | None = None  # validator NAME
    operation_name: str | None = None
    method_responses: tuple[MethodResponse, ...] = ()  # sorted by status_code
    integration: Integration | None = None


@dataclass(frozen=True)
class Resource(_ToDict):
    path: str  # "/" for the root; a child's path is its parent's path + "/" + pathPart


@dataclass(frozen=True)
class Authorizer(_ToDict):
    name: str
    type: str  # TOKEN | REQUEST | COGNITO_USER_POOLS
    authorizer_uri: str | None = None
    authorizer_credentials: str | None = None
    identity_source: str | None = None
    identity_validation_expression: str | None = None
    result_ttl_in_seconds: int = 300
    provider_arns: tuple[str, ...] = ()
    auth_type: str | None = None


@dataclass(frozen=True)
class RequestValidator(_ToDict):
    name: str
    validate_request_body: bool = False
    validate_request_parameters: bool = False


@dataclass(frozen=True)
class GatewayResponse(_ToDict):
    response_type: str
    status_code: str | None = None
    response_parameters: StrMap = ()
    response_templates: StrMap = ()


@dataclass(frozen=True)
class Model(_ToDict):
    name: str
    content_type: str = "application/json"
    schema: str | None = None  # canonical JSON, model refs in the `#/models/<Name>` form


@dataclass(frozen=True)
class MethodSetting(_ToDict):
    """One entry of a stage's ``methodSettings``, with every default AWS fills in.

    ``key`` is ``*/*`` (all methods) or ``<resource path>/<METHOD>`` with the path unescaped
    (``/pets/{petId}/GET``); the patch-path form (``~1pets~1{petId}/GET``) is made by the
    planner, and the reader folds every read-back form into this one.
    """

    key: str
    metrics_enabled: bool = False
    logging_level: str = "OFF"  # OFF | ERROR | INFO
    data_trace_enabled: bool = False
    throttling_burst_limit: int = 5000
    throttling_rate_limit: float = 10000.0
    caching_enabled: bool = False
    cache_ttl_in_seconds: int = 300
    cache_data_encrypted: bool = False
    require_authorization_for_cache_control: bool = True
    unauthorized_cache_control_header_strategy: str = "SUCCEED_WITH_RESPONSE_HEADER"


@dataclass(frozen=True)
class Canary(_ToDict):
    """A stage's canary: desired, the file's policy; live, what the stage has now."""

    percent: float
    variables: StrMap = ()  # stage-variable overrides
    use_stage_cache: bool = False
    deployment_id: str | None = None  # live only


@dataclass(frozen=True)
class Stage(_ToDict):
    name: str
    description: str | None = None
    variables: StrMap = ()
    method_settings: tuple[MethodSetting, ...] = ()  # sorted by key
    cache_cluster_enabled: bool = False
    cache_cluster_size: str | None = None  # "0.5" ... "237"; None while the cache is off
    tracing_enabled: bool = False
    access_log_destination_arn: str | None = None
    access_log_format: str | None = None
    client_certificate_id: str | None = None
    tags: StrMap = ()
    # Not compared: a canary is how a definition change is deployed (desired) or a release in
    # progress (live), not a setting to converge; the planner and `apigwctl canary` use it.
    canary: Canary | None = field(default=None, compare=False)
    deployment_id: str | None = field(default=None, compare=False)  # live only


@dataclass(frozen=True)
class Throttle(_ToDict):
    burst_limit: int | None = None
    rate_limit: float | None = None


@dataclass(frozen=True)
class UsagePlanStage(_ToDict):
    """One API stage of a usage plan; ``throttle`` maps ``/path/METHOD`` to its throttle."""

    api: str  # the REST API's NAME (ids are live-only)
    stage: str
    throttle: tuple[tuple[str, Throttle], ...] = ()  # sorted by key


@dataclass(frozen=True)
class UsagePlan(_ToDict):
    name: str
    description: str | None = None
    throttle: Throttle | None = None
    quota_limit: int | None = None
    quota_period: str | None = None  # DAY | WEEK | MONTH
    quota_offset: int = 0
    api_stages: tuple[UsagePlanStage, ...] = ()  # sorted by (api, stage)
    tags: StrMap = ()


@dataclass(frozen=True)
class ApiKey(_ToDict):
    """An API key, without its value: ``value_digest`` is a salted digest of the value.

    ``value_digest`` is None for a key whose value AWS generates (the file gives none): its
    value is then never compared. The value itself never enters the model, a plan or a file.
    """

    name: str
    description: str | None = None
    enabled: bool = True
    customer_id: str | None = None
    value_digest: str | None = None
    usage_plans: tuple[str, ...] = ()  # plan NAMES, sorted
    tags: StrMap = ()


@dataclass(frozen=True)
class RestApi(_ToDict):
    """The REST API's own settings."""

    name: str
    description: str | None = None
    endpoint_types: tuple[str, ...] = ("EDGE",)
    disable_execute_api_endpoint: bool = False
    vpc_endpoint_ids: tuple[str, ...] = ()
    policy: str | None = None  # canonical JSON, `execute-api:/` shorthand kept
    api_key_source: str = "HEADER"
    binary_media_types: tuple[str, ...] = ()
    minimum_compression_size: int | None = None
    tags: StrMap = ()


@dataclass(frozen=True)
class ApiState(_ToDict):
    """A REST API and everything under it. Collections are sorted by their key.

    ``ids`` maps addresses to live AWS ids (empty for desired state); it is not compared.
    """

    api: RestApi
    resources: tuple[Resource, ...] = ()
    methods: tuple[Method, ...] = ()
    authorizers: tuple[Authorizer, ...] = ()
    validators: tuple[RequestValidator, ...] = ()
    gateway_responses: tuple[GatewayResponse, ...] = ()
    models: tuple[Model, ...] = ()
    stages: tuple[Stage, ...] = ()
    usage_plans: tuple[UsagePlan, ...] = ()  # the deployment file's, sorted by name
    api_keys: tuple[ApiKey, ...] = ()  # the deployment file's, sorted by name
    ids: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def name(self) -> str:
        return self.api.name

    def items(self) -> dict[str, Any]:
        """Every addressed object of this API, by address."""
        n = self.api.name
        out: dict[str, Any] = {f"api:{n}": self.api}
        out.update({f"resource:{n}:{r.path}": r for r in self.resources})
        out.update({f"method:{n}:{m.path}:{m.http_method}": m for m in self.methods})
        out.update({f"authorizer:{n}:{a.name}": a for a in self.authorizers})
        out.update({f"validator:{n}:{v.name}": v for v in self.validators})
        out.update({f"gateway_response:{n}:{g.response_type}": g
                    for g in self.gateway_responses})
        out.update({f"model:{n}:{m.name}": m for m in self.models})
        out.update({f"stage:{n}:{s.name}": s for s in self.stages})
        out.update({f"usage_plan:{p.name}": p for p in self.usage_plans})
        out.update({f"api_key:{k.name}": k for k in self.api_keys})
        return out


@dataclass(frozen=True)
class GatewayState(_ToDict):
    """All APIs of one side (desired or live), sorted by name."""

    apis: tuple[ApiState, ...] = ()

    def items(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for api in self.apis:
            out.update(api.items())
        return out

    def to_dict(self) -> dict[str, Any]:
        return {address: obj.to_dict() for address, obj in sorted(self.items().items())}

"""The deployment file's meaning: frozen dataclasses with every default applied.

Built by :func:`apigwctl.config.loader.load_config` only from a file that passed the schema,
so the values here are already valid (names, patterns, enums); nothing in this module checks.

One exception to "every default applied": a method setting's fields are None where the file
says nothing, because AWS fills those in (the defaults live in :class:`apigwctl.model.
MethodSetting`, and :func:`apigwctl.compile.compile_stage` applies them). An API key's value
is a :class:`~apigwctl.secrets.Secret`: it prints as ``(sensitive)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import MappingProxyType

from apigwctl.secrets import Secret

EMULATOR_REGION = "us-east-1"


class EndpointType(str, Enum):
    EDGE = "EDGE"
    REGIONAL = "REGIONAL"
    PRIVATE = "PRIVATE"


class ApiMode(str, Enum):
    """How put_rest_api replaces the definition (its ``mode`` parameter)."""

    OVERWRITE = "overwrite"
    MERGE = "merge"


class TargetKind(str, Enum):
    EMULATOR = "emulator"
    AWS = "aws"


class TargetSource(str, Enum):
    """Where the target kind came from, highest precedence first."""

    FLAG = "--target"
    ENDPOINT_FLAG = "--endpoint-url"
    PLAN_FILE = "the plan file"
    ENV = "APIGWCTL_TARGET"
    FILE = "apigwctl.yaml"
    DEFAULT = "default"


def frozen_mapping(items: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class ApiConfig:
    name: str
    spec: Path  # resolved: absolute, relative paths taken from the deployment file's folder
    spec_display: str  # the spec path as findings show it
    type: str = "REST"
    endpoint_type: EndpointType = EndpointType.REGIONAL
    mode: ApiMode = ApiMode.OVERWRITE
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class MethodSettingConfig:
    """One ``stages.<name>.method_settings`` entry; None: not set in the file (AWS's default).

    Field names are :class:`apigwctl.model.MethodSetting`'s, so the compiler passes the set
    ones straight through.
    """

    key: str  # as written: "*/*" or "/path/METHOD"
    throttling_rate_limit: float | None = None
    throttling_burst_limit: int | None = None
    logging_level: str | None = None
    data_trace_enabled: bool | None = None
    metrics_enabled: bool | None = None
    caching_enabled: bool | None = None
    cache_ttl_in_seconds: int | None = None
    cache_data_encrypted: bool | None = None
    require_authorization_for_cache_control: bool | None = None
    unauthorized_cache_control_header_strategy: str | None = None


@dataclass(frozen=True)
class CanaryConfig:
    """How definition changes reach this stage: as a canary of ``percent`` first."""

    percent: float
    variables: Mapping[str, str] = field(default_factory=frozen_mapping)
    use_stage_cache: bool = False


@dataclass(frozen=True)
class StageConfig:
    name: str
    description: str | None = None
    variables: Mapping[str, str] = field(default_factory=frozen_mapping)
    method_settings: tuple[MethodSettingConfig, ...] = ()  # in file order
    cache_cluster_enabled: bool = False
    cache_cluster_size: str | None = None  # as written ("0.5", "118"); None: not given
    tracing_enabled: bool = False
    access_log_destination_arn: str | None = None
    access_log_format: str | None = None
    client_certificate_id: str | None = None
    tags: Mapping[str, str] = field(default_factory=frozen_mapping)
    canary: CanaryConfig | None = None


@dataclass(frozen=True)
class ThrottleConfig:
    rate_limit: float
    burst_limit: int


@dataclass(frozen=True)
class UsagePlanStageConfig:
    """A stage of this file's API in a usage plan, with per-method throttles by method key."""

    stage: str
    throttle: Mapping[str, ThrottleConfig] = field(
        default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class UsagePlanConfig:
    name: str
    description: str | None = None
    throttle: ThrottleConfig | None = None
    quota_limit: int | None = None
    quota_period: str | None = None  # DAY | WEEK | MONTH; set together with quota_limit
    quota_offset: int = 0
    stages: tuple[UsagePlanStageConfig, ...] = ()  # in file order
    tags: Mapping[str, str] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class ApiKeyConfig:
    name: str
    description: str | None = None
    enabled: bool = True
    customer_id: str | None = None
    value: Secret | None = None  # None: AWS generates the value
    usage_plans: tuple[str, ...] = ()  # plan names, in file order
    tags: Mapping[str, str] = field(default_factory=frozen_mapping)


@dataclass(frozen=True)
class TargetConfig:
    kind: TargetKind = TargetKind.EMULATOR
    region: str | None = EMULATOR_REGION  # None: the AWS SDK's default chain decides
    profile: str | None = None
    source: TargetSource = TargetSource.DEFAULT
    endpoint_url: str | None = None  # aws target only: LocalStack, moto_server, emulator serve


@dataclass(frozen=True)
class DeploymentConfig:
    path: Path  # the deployment file, resolved
    api: ApiConfig
    stages: tuple[StageConfig, ...] = ()
    target: TargetConfig = field(default_factory=TargetConfig)
    usage_plans: tuple[UsagePlanConfig, ...] = ()  # in file order
    api_keys: tuple[ApiKeyConfig, ...] = ()  # in file order

    def stage(self, name: str) -> StageConfig | None:
        return next((s for s in self.stages if s.name == name), None)

    def usage_plan(self, name: str) -> UsagePlanConfig | None:
        return next((p for p in self.usage_plans if p.name == name), None)

    def api_key(self, name: str) -> ApiKeyConfig | None:
        return next((k for k in self.api_keys if k.name == name), None)

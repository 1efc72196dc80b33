"""The deployment file's meaning: frozen dataclasses with every default applied.

Built by :func:`apigwctl.config.loader.load_config` only from a file that passed the schema,
so the values here are already valid (names, patterns, enums); nothing in this module checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import MappingProxyType

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
class StageConfig:
    name: str
    description: str | None = None
    variables: Mapping[str, str] = field(default_factory=frozen_mapping)


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

    def stage(self, name: str) -> StageConfig | None:
        return next((s for s in self.stages if s.name == name), None)

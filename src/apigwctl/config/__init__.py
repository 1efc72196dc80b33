"""The deployment file ``apigwctl.yaml``: loader, model, JSON Schema, ``${env:X}`` and
``${file:PATH}`` (API key values), and the cross-checks."""

from apigwctl.config.loader import (
    DEFAULT_FILE,
    TARGET_ENV,
    ConfigResult,
    DeploymentReport,
    check_deployment,
    load_config,
)
from apigwctl.config.model import (
    ApiConfig,
    ApiKeyConfig,
    ApiMode,
    DeploymentConfig,
    EndpointType,
    MethodSettingConfig,
    StageConfig,
    TargetConfig,
    TargetKind,
    TargetSource,
    ThrottleConfig,
    UsagePlanConfig,
    UsagePlanStageConfig,
)
from apigwctl.config.schema import schema_text

__all__ = [
    "DEFAULT_FILE", "TARGET_ENV", "ApiConfig", "ApiKeyConfig", "ApiMode", "ConfigResult",
    "DeploymentConfig", "DeploymentReport", "EndpointType", "MethodSettingConfig",
    "StageConfig", "TargetConfig", "TargetKind", "TargetSource", "ThrottleConfig",
    "UsagePlanConfig", "UsagePlanStageConfig", "check_deployment", "load_config", "schema_text",
]

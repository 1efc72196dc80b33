"""The deployment file ``apigwctl.yaml``: loader, model, JSON Schema and ``${env:X}``."""

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
    ApiMode,
    DeploymentConfig,
    EndpointType,
    StageConfig,
    TargetConfig,
    TargetKind,
    TargetSource,
)
from apigwctl.config.schema import schema_text

__all__ = [
    "DEFAULT_FILE", "TARGET_ENV", "ApiConfig", "ApiMode", "ConfigResult", "DeploymentConfig",
    "DeploymentReport", "EndpointType", "StageConfig", "TargetConfig", "TargetKind",
    "TargetSource", "check_deployment", "load_config", "schema_text",
]

"""Load ``apigwctl.yaml``: parse -> interpolate -> schema -> DeploymentConfig -> cross-checks.

Input: a path, the ``--target`` override and an environment. Output: :class:`ConfigResult`
with the config (None when the file has an ERROR) and every finding, placed at line:col in
the deployment file. Never raises for bad input. The file is read with the spec loader's
own reader, so the size bound, duplicate-key detection and positions are the same.
Interpolation reads ``${env:...}``, and ``${file:...}`` in API key values; the cross-checks
(:mod:`apigwctl.config.checks`) run on the built config and only keep it when they find no
ERROR.

:func:`check_deployment` adds the spec: its own findings, the cross-check of the stage
variables it references against the stages defined here, and of the method keys of method
settings and usage-plan throttles against its routes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from apigwctl.compile import spec_routes
from apigwctl.config.checks import config_problems, route_problems
from apigwctl.config.interpolate import Problem, interpolate
from apigwctl.config.model import (
    EMULATOR_REGION,
    ApiConfig,
    ApiKeyConfig,
    ApiMode,
    CanaryConfig,
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
    frozen_mapping,
)
from apigwctl.config.schema import INVALID_VALUE, schema_problems, string_keys
from apigwctl.diagnostics import Diagnostic, Pointer, has_errors
from apigwctl.normalize import api_key_enabled
from apigwctl.secrets import Secret
from apigwctl.spec.loader import (
    DEFAULT_LIMITS,
    Limits,
    SourceFile,
    load_spec,
    parse_text,
    read_source,
)
from apigwctl.spec.rules import REGISTRY, all_rules
from apigwctl.spec.validate import FileReport, StageVariableUse, validate_path

TARGET_ENV = "APIGWCTL_TARGET"
DEFAULT_FILE = "apigwctl.yaml"
SPEC_MISSING = "E3020"
STAGE_VARIABLE_UNDEFINED = "W3021"
STAGE_VARIABLE_UNUSED = "I3022"


@dataclass(frozen=True)
class ConfigResult:
    path: str  # as given: findings name the file this way
    config: DeploymentConfig | None
    diagnostics: tuple[Diagnostic, ...] = ()
    source: SourceFile | None = None


@dataclass(frozen=True)
class DeploymentReport:
    """A deployment file checked together with its spec."""

    config: ConfigResult
    spec: FileReport | None

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.config.diagnostics + (self.spec.diagnostics if self.spec else ())


def make_diagnostic(rule_id: str, message: str, file: str, pointer: Pointer = (), *,
                    hint: str | None = None, line: int = 0, col: int = 0) -> Diagnostic:
    """A finding of a registered rule, with its severity, link and default hint."""
    all_rules()
    rule = REGISTRY[rule_id]
    return Diagnostic(rule=rule_id, severity=rule.severity(), message=message, file=file,
                      pointer=pointer, line=line, col=col, hint=hint or rule.hint,
                      doc_url=rule.doc_url)


def load_config(path: str | os.PathLike[str], target: str | None = None,
                env: Mapping[str, str] | None = None,
                limits: Limits = DEFAULT_LIMITS) -> ConfigResult:
    """Load a deployment file. ``target`` is the ``--target`` flag (None when not given)."""
    env = os.environ if env is None else env
    display = str(path)
    source, err = read_source(Path(path), display, limits)
    if source is None:
        return ConfigResult(display, None, (err,) if err else ())
    data, diags = _parse(source)
    if data is None:
        return ConfigResult(display, None, tuple(diags), source)
    data, key_problems = string_keys(data)
    diags += [make_diagnostic(p.rule, p.message, display, p.pointer, hint=p.hint)
              for p in key_problems]
    data, problems = interpolate(data, env, source.path.parent)
    diags += _diagnostics(problems, display)
    spoiled = {p.pointer for p in problems}  # its schema errors would only repeat the problem
    diags += [make_diagnostic(p.rule, p.message, display, p.pointer, hint=p.hint)
              for p in schema_problems(data) if p.pointer not in spoiled]
    kind, source_of_kind, target_diag = _target_kind(target, env, data, display)
    diags += target_diag
    config = None
    if not has_errors(diags):
        config = _build(source, data, kind, source_of_kind)
        diags += _checked(config, display)
    config = None if has_errors(diags) else config
    return ConfigResult(display, config, tuple(_placed(diags, source)), source)


def _checked(config: DeploymentConfig, display: str) -> list[Diagnostic]:
    """The cross-checks of a built config, and whether its spec exists."""
    diags = _diagnostics(config_problems(config), display)
    if not config.api.spec.is_file():
        diags.append(make_diagnostic(
            SPEC_MISSING, f"the spec {config.api.spec_display} does not exist", display,
            ("api", "spec"), hint="api.spec is relative to the deployment file's folder"))
    return diags


def _diagnostics(problems: Sequence[Problem], display: str) -> list[Diagnostic]:
    return [make_diagnostic(p.rule, p.message, display, p.pointer, hint=p.hint)
            for p in problems]


def _parse(source: SourceFile) -> tuple[Any, list[Diagnostic]]:
    from apigwctl.spec.loader import _ParseFailure  # the loader's own parse-error carrier

    try:
        data, _, dups = parse_text(source.path, source.text)
    except _ParseFailure as exc:
        return None, [make_diagnostic(exc.rule, exc.message, source.display,
                                      hint=exc.hint or "fix the syntax at this position",
                                      line=exc.line, col=exc.col)]
    diags = [make_diagnostic("E0006", f"duplicate key {key!r}: only the last value is kept",
                             source.display, hint="remove or rename one of the duplicates",
                             line=line, col=col) for key, line, col in dups]
    if not isinstance(data, dict):
        what = type(data).__name__ if data is not None else "empty"
        diags.append(make_diagnostic(
            "E0005", f"the deployment file is {what}, not a mapping", source.display,
            hint="start with `api:` (see `apigwctl schema`)", line=1, col=1))
        return None, diags
    return data, diags


def _target_kind(flag: str | None, env: Mapping[str, str], data: Mapping[str, Any],
                 display: str) -> tuple[TargetKind, TargetSource, list[Diagnostic]]:
    """The target by precedence: --target > APIGWCTL_TARGET > the file > emulator."""
    if flag is not None:
        return TargetKind(flag), TargetSource.FLAG, []
    from_env = env.get(TARGET_ENV, "").strip()
    if from_env:
        if from_env.lower() in {k.value for k in TargetKind}:
            return TargetKind(from_env.lower()), TargetSource.ENV, []
        return TargetKind.EMULATOR, TargetSource.ENV, [make_diagnostic(
            INVALID_VALUE, f"{TARGET_ENV}={from_env!r} is not a target: use emulator or aws",
            display, hint=f"unset {TARGET_ENV} or set it to emulator or aws", line=1, col=1)]
    target = data.get("target")
    if isinstance(target, dict) and "kind" in target:
        kind = TargetKind(target["kind"])
        if kind is TargetKind.EMULATOR and "endpoint_url" in target:
            return kind, TargetSource.FILE, [make_diagnostic(
                INVALID_VALUE, "target.endpoint_url is for the aws target; the embedded "
                "emulator runs in-process and takes none", display, ("target", "endpoint_url"),
                hint="set target.kind: aws to use the endpoint, or remove endpoint_url")]
        return kind, TargetSource.FILE, []
    if isinstance(target, dict) and "endpoint_url" in target:  # LocalStack & co speak AWS
        return TargetKind.AWS, TargetSource.FILE, []
    return TargetKind.EMULATOR, TargetSource.DEFAULT, []


def _build(source: SourceFile, data: Mapping[str, Any], kind: TargetKind,
           kind_source: TargetSource) -> DeploymentConfig:
    api = data["api"]
    spec_display = os.path.normpath(os.path.join(os.path.dirname(source.display), api["spec"]))
    api_config = ApiConfig(
        name=api["name"], spec=(source.path.parent / api["spec"]).resolve(),
        spec_display=spec_display, type=api.get("type", "REST"),
        endpoint_type=EndpointType(api.get("endpoint_type", "REGIONAL")),
        mode=ApiMode(api.get("mode", "overwrite")), description=api.get("description"),
        tags=frozen_mapping(api.get("tags")))
    target = data.get("target") or {}
    region = target.get("region") or (EMULATOR_REGION if kind is TargetKind.EMULATOR else None)
    return DeploymentConfig(
        source.path, api_config,
        tuple(_stage(name, s) for name, s in (data.get("stages") or {}).items()),
        TargetConfig(kind, region, target.get("profile"), kind_source,
                     target.get("endpoint_url")),
        tuple(_usage_plan(name, p) for name, p in (data.get("usage_plans") or {}).items()),
        tuple(_api_key(name, k) for name, k in (data.get("api_keys") or {}).items()))


def _stage(name: str, raw: Mapping[str, Any]) -> StageConfig:
    cache = raw.get("cache_cluster") or {}
    access_log = raw.get("access_log") or {}
    size = cache.get("size")
    return StageConfig(
        name, raw.get("description"), frozen_mapping(raw.get("variables")),
        method_settings=tuple(_method_setting(key, s)
                              for key, s in (raw.get("method_settings") or {}).items()),
        cache_cluster_enabled=bool(cache.get("enabled", False)),
        cache_cluster_size=None if size is None else str(size),
        tracing_enabled=bool(raw.get("tracing", False)),
        access_log_destination_arn=access_log.get("destination_arn"),
        access_log_format=access_log.get("format"),
        client_certificate_id=raw.get("client_certificate_id"),
        tags=frozen_mapping(raw.get("tags")), canary=_canary(raw.get("canary")))


def _canary(raw: Mapping[str, Any] | None) -> CanaryConfig | None:
    if not raw:
        return None
    return CanaryConfig(float(raw["percent"]), frozen_mapping(raw.get("variables")),
                        bool(raw.get("use_stage_cache", False)))


def _method_setting(key: str, raw: Mapping[str, Any]) -> MethodSettingConfig:
    throttling = raw.get("throttling") or {}
    logging = raw.get("logging") or {}
    caching = raw.get("caching") or {}
    return MethodSettingConfig(
        key=key,
        throttling_rate_limit=_float(throttling.get("rate_limit")),
        throttling_burst_limit=throttling.get("burst_limit"),
        logging_level=logging.get("level"),
        data_trace_enabled=logging.get("data_trace"),
        metrics_enabled=raw.get("metrics"),
        caching_enabled=caching.get("enabled"),
        cache_ttl_in_seconds=caching.get("ttl"),
        cache_data_encrypted=caching.get("encrypted"),
        require_authorization_for_cache_control=caching.get("require_authorization"),
        unauthorized_cache_control_header_strategy=caching.get("unauthorized_strategy"))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _throttle(raw: Mapping[str, Any] | None) -> ThrottleConfig | None:
    if raw is None:
        return None
    return ThrottleConfig(float(raw["rate_limit"]), int(raw["burst_limit"]))


def _usage_plan(name: str, raw: Mapping[str, Any]) -> UsagePlanConfig:
    quota = raw.get("quota") or {}
    stages = tuple(UsagePlanStageConfig(stage, MappingProxyType(
        {key: ThrottleConfig(float(t["rate_limit"]), int(t["burst_limit"]))
         for key, t in ((s or {}).get("throttle") or {}).items()}))
        for stage, s in (raw.get("stages") or {}).items())
    return UsagePlanConfig(
        name, raw.get("description"), _throttle(raw.get("throttle")),
        quota_limit=quota.get("limit"), quota_period=quota.get("period"),
        quota_offset=int(quota.get("offset", 0)), stages=stages,
        tags=frozen_mapping(raw.get("tags")))


def _api_key(name: str, raw: Mapping[str, Any]) -> ApiKeyConfig:
    value = raw.get("value")
    return ApiKeyConfig(
        name, raw.get("description"), api_key_enabled(raw.get("enabled")),
        raw.get("customer_id"), None if value is None else Secret(value),
        tuple(raw.get("usage_plans") or ()), frozen_mapping(raw.get("tags")))


def _placed(diags: Sequence[Diagnostic], source: SourceFile) -> list[Diagnostic]:
    todo = [d for d in diags if d.line == 0]
    where = source.locate([d.pointer for d in todo])
    placed = [d.located(*where.get(tuple(str(t) for t in d.pointer), (0, 0)))
              if d.line == 0 else d for d in diags]
    return sorted(placed, key=Diagnostic.sort_key)


def check_deployment(path: str | os.PathLike[str], target: str | None = None,
                     env: Mapping[str, str] | None = None,
                     validate: Callable[[str], FileReport] = validate_path) -> DeploymentReport:
    """The deployment file, its spec (through ``validate``) and the stage-variable cross-check."""
    result = load_config(path, target, env)
    if result.config is None or result.source is None:
        return DeploymentReport(result, None)
    report = validate(result.config.api.spec_display)
    cross = stage_variable_findings(result.config, result.source, report.stage_variables,
                                    _spec_text(result.config.api.spec))
    cross += _placed(_diagnostics(_route_problems(result.config), result.path), result.source)
    diags = tuple(sorted((*result.diagnostics, *cross), key=Diagnostic.sort_key))
    return DeploymentReport(replace(result, diagnostics=diags), report)


def _route_problems(config: DeploymentConfig) -> list[Problem]:
    """E3030 for method keys that name no route; the spec is loaded only when keys exist."""
    if not any(s.method_settings for s in config.stages) and not any(
            ps.throttle for p in config.usage_plans for ps in p.stages):
        return []
    loaded = load_spec(config.api.spec)
    if not loaded.documents:  # the spec's own findings say why
        return []
    return route_problems(config, spec_routes(loaded.documents[0].data),
                          config.api.spec_display)


def _spec_text(path: Path) -> str:
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return ""


_ANY_STAGE_VAR = re.compile(r"stageVariables\.([A-Za-z0-9_]+)")


def stage_variable_findings(config: DeploymentConfig, source: SourceFile,
                            uses: Sequence[StageVariableUse],
                            spec_text: str = "") -> list[Diagnostic]:
    """W3021 for each stage lacking a variable the spec references as ``${stageVariables.X}``;
    I3022 for a variable no ``stageVariables.X`` in the spec text mentions (VTL and
    request parameters read them without ``${}``)."""
    first: dict[str, StageVariableUse] = {}
    for use in sorted(uses, key=lambda u: (u.file, u.line, u.col)):
        first.setdefault(use.name, use)
    mentioned = set(_ANY_STAGE_VAR.findall(spec_text)) | set(first)
    pointers = [("stages", s.name) for s in config.stages]
    where = source.locate(list(pointers))
    out: list[Diagnostic] = []
    for stage in config.stages:
        line, col = where.get(("stages", stage.name), (0, 0))
        at = ("stages", stage.name, "variables") if stage.variables else ("stages", stage.name)
        for name, use in first.items():
            if name not in stage.variables:
                out.append(make_diagnostic(
                    STAGE_VARIABLE_UNDEFINED,
                    f"stage variable {name!r} ({use.file}:{use.line}:{use.col}) is not defined "
                    f"in stage {stage.name!r} ({source.display}:{line}:{col})", source.display,
                    at, hint=f"add `{name}: ...` under stages.{stage.name}.variables"))
        out += [make_diagnostic(
            STAGE_VARIABLE_UNUSED, f"stage variable {name!r} of stage {stage.name!r} is not "
            f"referenced by the spec {config.api.spec_display}", source.display,
            ("stages", stage.name, "variables", name)) for name in stage.variables
            if name not in mentioned]
    return _placed(out, source)

"""Load ``apigwctl.yaml``: parse -> interpolate ``${env:...}`` -> schema -> DeploymentConfig.

Input: a path, the ``--target`` override and an environment. Output: :class:`ConfigResult`
with the config (None when the file has an ERROR) and every finding, placed at line:col in
the deployment file. Never raises for bad input. The file is read with the spec loader's
own reader, so the size bound, duplicate-key detection and positions are the same.

:func:`check_deployment` adds the spec: its own findings, and the cross-check of the stage
variables it references against the stages defined here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from apigwctl.config.interpolate import interpolate
from apigwctl.config.model import (
    EMULATOR_REGION,
    ApiConfig,
    ApiMode,
    DeploymentConfig,
    EndpointType,
    StageConfig,
    TargetConfig,
    TargetKind,
    TargetSource,
    frozen_mapping,
)
from apigwctl.config.schema import INVALID_VALUE, schema_problems, string_keys
from apigwctl.diagnostics import Diagnostic, Pointer, has_errors
from apigwctl.spec.loader import DEFAULT_LIMITS, Limits, SourceFile, parse_text, read_source
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
    data, problems = interpolate(data, env)
    diags += [make_diagnostic(p.rule, p.message, display, p.pointer, hint=p.hint) for p in problems]
    spoiled = {p.pointer for p in problems}  # its schema errors would only repeat the problem
    diags += [make_diagnostic(p.rule, p.message, display, p.pointer, hint=p.hint)
              for p in schema_problems(data) if p.pointer not in spoiled]
    kind, source_of_kind, target_diag = _target_kind(target, env, data, display)
    diags += target_diag
    config = None
    if not has_errors(diags):
        config = _build(source, data, kind, source_of_kind)
        if not config.api.spec.is_file():
            diags.append(make_diagnostic(
                SPEC_MISSING, f"the spec {config.api.spec_display} does not exist", display,
                ("api", "spec"), hint="api.spec is relative to the deployment file's folder"))
            config = None
    return ConfigResult(display, config, tuple(_placed(diags, source)), source)


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
    stages = tuple(StageConfig(name, s.get("description"), frozen_mapping(s.get("variables")))
                   for name, s in (data.get("stages") or {}).items())
    target = data.get("target") or {}
    region = target.get("region") or (EMULATOR_REGION if kind is TargetKind.EMULATOR else None)
    return DeploymentConfig(source.path, api_config, stages,
                            TargetConfig(kind, region, target.get("profile"), kind_source,
                                         target.get("endpoint_url")))


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
    diags = tuple(sorted((*result.diagnostics, *cross), key=Diagnostic.sort_key))
    return DeploymentReport(replace(result, diagnostics=diags), report)


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

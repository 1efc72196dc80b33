"""What ``plan`` and ``apply`` share: the target flags, the desired state, the plan's origin.

``prepare`` loads the deployment file and its spec (refusing on ERROR findings), applies the
target flags over the file, and compiles the desired state, ownership tags included.
``make_project_plan`` reads the live API (choosing the one apigwctl manages), plans, and
returns the plan with its :class:`Origin` (the digests a plan file carries).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from apigwctl.aws.reader import Reader, read_api
from apigwctl.aws.target import Connection
from apigwctl.compile import (
    ApiSettings,
    compile_api,
    compile_api_key,
    compile_stage,
    compile_usage_plan,
)
from apigwctl.config import (
    DeploymentConfig,
    TargetConfig,
    TargetKind,
    TargetSource,
    check_deployment,
)
from apigwctl.config.loader import DeploymentReport
from apigwctl.diagnostics import Diagnostic, Severity, has_errors
from apigwctl.errors import ApigwctlError, UsageError
from apigwctl.model import ApiState
from apigwctl.ownership import LiveApi, choose_managed, ownership_tags
from apigwctl.plan.planfile import Origin, live_sha256, sha256_of
from apigwctl.plan.planner import Plan, PlanSettings, make_plan
from apigwctl.render.console import make_console
from apigwctl.render.text import render_findings
from apigwctl.secrets import new_salt
from apigwctl.spec.cache import cached_validate_path
from apigwctl.spec.loader import SpecDocument, load_spec

STATE_DIR = Path(".apigwctl") / "emulator"


@dataclass(frozen=True)
class TargetFlags:
    """The command line's say on the target; None: not given."""

    target: str | None = None
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None


TARGET_OPTIONS: tuple[Callable[[Callable[..., None]], Callable[..., None]], ...] = (
    click.option("--target", type=click.Choice(["emulator", "aws"]), default=None,
                 help="Where to plan against (default: the file, APIGWCTL_TARGET, "
                 "else emulator)."),
    click.option("--region", default=None, help="AWS region (default: the file's, then the "
                 "AWS SDK's; us-east-1 on the emulator)."),
    click.option("--profile", default=None, help="AWS shared-config profile (aws target)."),
    click.option("--endpoint-url", default=None, help="An AWS-compatible endpoint "
                 "(LocalStack, moto_server, `apigwctl emulator serve`); implies --target aws."),
)


def target_options(func: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(TARGET_OPTIONS):
        func = option(func)
    return func


@dataclass(frozen=True)
class Prepared:
    config: DeploymentConfig
    config_display: str  # the deployment file's path as the user gave it
    desired: ApiState
    spec_chunks: tuple[bytes, ...]  # the spec, then every file its $refs load: as digested
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)  # key name -> value
    salt: bytes = b""  # for the API keys' value digests

    @property
    def bodies(self) -> dict[str, bytes]:
        """The spec's bytes for put_rest_api: the very bytes the plan's digest covers."""
        return {self.config.api.spec_display: self.spec_chunks[0]}

    @property
    def target(self) -> TargetConfig:
        return self.config.target

    @property
    def state_dir(self) -> Path:
        return Path(self.config_display).parent / STATE_DIR  # shown as the user named it


def prepare(config_file: str, flags: TargetFlags, no_color: bool, *,
            from_plan_file: bool = False, salt: bytes | None = None) -> Prepared:
    """Deployment file + spec -> desired state; findings with errors stop here.

    ``salt`` digests the API keys' values (a plan file's, to re-plan it identically; else new).
    """
    if flags.endpoint_url and flags.target == "emulator":
        raise UsageError("--endpoint-url talks to an AWS-compatible endpoint; the embedded "
                         "emulator runs in-process and takes none",
                         hint="drop --target emulator (or --endpoint-url)")
    kind_flag = "aws" if flags.endpoint_url else flags.target
    report = check_deployment(config_file, kind_flag, validate=cached_validate_path)
    loaded_config = report.config.config
    failed = has_errors(report.diagnostics) or loaded_config is None
    _show_findings(report, no_color, everything=failed)
    if failed or loaded_config is None:
        raise ApigwctlError(f"{config_file} or its spec has errors; nothing planned",
                            hint=f"fix them (see `apigwctl validate -c {config_file}`)")
    target = _with_flags(loaded_config, flags)
    if from_plan_file:
        target = replace(target, source=TargetSource.PLAN_FILE)
    config = replace(loaded_config, target=target)
    loaded = load_spec(str(config.api.spec))
    files = (config.api.spec, *(Path(p) for p in sorted(loaded.externals)))
    salt = salt if salt is not None else new_salt()
    secrets = {k.name: k.value.reveal() for k in config.api_keys if k.value is not None}
    return Prepared(config, config_file, _compile(config, loaded.documents[0], salt),
                    tuple(f.read_bytes() for f in files), secrets, salt)


def _show_findings(report: DeploymentReport, no_color: bool, *, everything: bool) -> None:
    """Errors stop the plan; warnings are shown on stderr and the plan goes on (infos: not)."""
    def keep(found: Sequence[Diagnostic]) -> list[Diagnostic]:
        return [d for d in found if everything or d.severity is not Severity.INFO]

    reports = [(report.config.path, keep(report.config.diagnostics))]
    if report.spec is not None:
        reports.append((report.spec.path, keep(report.spec.diagnostics)))
    if everything or any(found for _, found in reports):
        render_findings(make_console(no_color, sys.stderr), reports)


def _with_flags(config: DeploymentConfig, flags: TargetFlags) -> TargetConfig:
    target = config.target
    if flags.endpoint_url:
        target = replace(target, kind=TargetKind.AWS, endpoint_url=flags.endpoint_url,
                         source=TargetSource.ENDPOINT_FLAG)
    if target.kind is TargetKind.EMULATOR:
        target = replace(target, endpoint_url=None)
    return replace(target, region=flags.region or target.region,
                   profile=flags.profile or target.profile)


def _compile(config: DeploymentConfig, doc: SpecDocument, salt: bytes) -> ApiState:
    """The API from the spec; stages, usage plans and keys from the deployment file."""
    api = config.api
    tags = {**api.tags, **ownership_tags(api.name)}
    settings = ApiSettings(api.name, api.endpoint_type.value, api.description, tags)
    return replace(
        compile_api(doc, settings, ()),
        stages=tuple(sorted((compile_stage(s) for s in config.stages), key=lambda s: s.name)),
        usage_plans=tuple(sorted((compile_usage_plan(p, api.name) for p in config.usage_plans),
                                 key=lambda p: p.name)),
        api_keys=tuple(sorted((compile_api_key(k, salt) for k in config.api_keys),
                              key=lambda k: k.name)))


def describe_target(prepared: Prepared, connection: Connection) -> None:
    """Every command that talks to a target says which one, on stderr."""
    click.echo(f"target: {connection.description}; from {prepared.target.source.value}",
               err=True)


@dataclass(frozen=True)
class ProjectPlan:
    plan: Plan
    live: ApiState | None
    origin: Origin


def make_project_plan(prepared: Prepared, connection: Connection) -> ProjectPlan:
    """Read the live API apigwctl manages under the file's name, and plan against it."""
    name = prepared.desired.name
    reader = Reader(connection.client)

    def select(candidates: Sequence[LiveApi]) -> LiveApi | None:
        return choose_managed(name, candidates, connection.region)

    live = read_api(connection.client, name, reader, select=select, salt=prepared.salt,
                    key_names=frozenset(k.name for k in prepared.desired.api_keys))
    calls = f"{reader.calls} API call{'' if reader.calls == 1 else 's'}"
    click.echo(f"read the live state of {name}: {calls}", err=True)
    api = prepared.config.api
    settings = PlanSettings(api.spec_display, api.endpoint_type.value, api.mode.value)
    plan = make_plan(prepared.desired, live, settings)
    return ProjectPlan(plan, live, origin_of(prepared, live, connection.region))


def origin_of(prepared: Prepared, live: ApiState | None, region: str) -> Origin:
    """``region`` is the one connected to: the SDK may have chosen it."""
    target = prepared.target
    return Origin(
        config_path=prepared.config_display,
        config_sha256=sha256_of((prepared.config.path.read_bytes(),)),
        spec_path=prepared.config.api.spec_display, spec_sha256=sha256_of(prepared.spec_chunks),
        target={"kind": target.kind.value, "region": region, "profile": target.profile,
                "endpoint_url": target.endpoint_url},
        live_sha256=live_sha256(live), key_salt=prepared.salt.hex())

"""Ops: inert frozen data, one per API Gateway write call (plus its fix-ups).

Ops refer to resources by address (``api:<name>``, ``stage:<api>:<stage>``,
``deployment:<api>`` for the deployment this plan creates); the executor in
:mod:`apigwctl.apply` maps addresses to AWS ids. Each op has ``describe()`` (one line for
humans) and ``to_dict()`` (the machine form used by ``--format json``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from apigwctl.model import Throttle, UsagePlanStage


def _pairs(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(items)


@dataclass(frozen=True)
class Patch:
    """One JSON-patch operation of update_stage. ``value`` may name a deployment address."""

    op: str  # replace | remove | add | copy
    path: str
    value: str | None = None
    from_: str | None = None  # copy: the source path

    def describe(self) -> str:
        if self.from_ is not None:
            return f"{self.op} {self.from_} -> {self.path}"
        if self.value is None:
            return f"{self.op} {self.path}"
        shown = self.value if self.path == "/deploymentId" else json.dumps(self.value)
        return f"{self.op} {self.path} = {shown}"

    def to_dict(self) -> dict[str, Any]:
        out = {"op": self.op, "path": self.path}
        if self.from_ is not None:
            out["from"] = self.from_
        return out if self.value is None else {**out, "value": self.value}


@dataclass(frozen=True)
class CreateRestApi:
    """create_rest_api with the name, endpoint type, description and ALL tags in one call.

    Not import_rest_api: import takes no tags, so an apply stopped between an import and its
    tag_resource would leave an API apigwctl no longer recognises as its own. Created with its
    ownership tags, the API is managed from its first moment; the PutRestApi after it fills it.
    """

    address: str
    name: str
    endpoint_type: str
    description: str | None = None
    tags: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"create REST API {self.name} ({self.endpoint_type}, {len(self.tags)} tags)"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "create_rest_api", "address": self.address, "name": self.name,
                "endpoint_type": self.endpoint_type, "description": self.description,
                "tags": _pairs(self.tags)}


@dataclass(frozen=True)
class PutRestApi:
    """put_rest_api of the spec (overwrite or merge), then the name and description again."""

    address: str
    name: str
    spec: str
    mode: str  # overwrite | merge
    description: str | None = None
    fail_on_warnings: bool = True

    def describe(self) -> str:
        return (f"put REST API {self.name} from {self.spec} "
                f"(mode={self.mode}, failOnWarnings={self.fail_on_warnings})")

    def to_dict(self) -> dict[str, Any]:
        return {"op": "put_rest_api", "address": self.address, "name": self.name,
                "spec": self.spec, "mode": self.mode, "description": self.description,
                "fail_on_warnings": self.fail_on_warnings}


@dataclass(frozen=True)
class TagResource:
    """tag_resource / untag_resource on the addressed object's ARN: no deployment needed."""

    address: str
    tags: tuple[tuple[str, str], ...] = ()
    remove: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"set {', '.join(k for k, _ in self.tags)}"] if self.tags else []
        parts += [f"remove {', '.join(self.remove)}"] if self.remove else []
        return f"tag {self.address}: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "tag_resource", "address": self.address, "tags": _pairs(self.tags),
                "remove": list(self.remove)}


@dataclass(frozen=True)
class UpdateRestApi:
    """update_rest_api patches for the settings the deployment file owns (endpoint type...)."""

    address: str
    name: str
    patches: tuple[Patch, ...]

    def describe(self) -> str:
        return f"update REST API {self.name}: " + ", ".join(p.describe() for p in self.patches)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "update_rest_api", "address": self.address, "name": self.name,
                "patches": [p.to_dict() for p in self.patches]}


@dataclass(frozen=True)
class CreateDeployment:
    """One new deployment of the API; ``reasons`` say why it is needed."""

    address: str  # deployment:<api>
    api: str  # the API's address
    reasons: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"create a deployment of {self.api}: " + "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "create_deployment", "address": self.address, "api": self.api,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class CreateStage:
    """create_stage with everything it carries; other settings follow in an UpdateStage."""

    address: str  # stage:<api>:<name>
    api: str
    name: str
    deployment: str  # address of the deployment it points at
    description: str | None = None
    variables: tuple[tuple[str, str], ...] = ()
    cache_cluster_enabled: bool = False
    cache_cluster_size: str | None = None
    tracing_enabled: bool = False
    tags: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"create stage {self.name} on {self.deployment}"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "create_stage", "address": self.address, "api": self.api,
                "name": self.name, "deployment": self.deployment,
                "description": self.description, "variables": _pairs(self.variables),
                "cache_cluster_enabled": self.cache_cluster_enabled,
                "cache_cluster_size": self.cache_cluster_size,
                "tracing_enabled": self.tracing_enabled, "tags": _pairs(self.tags)}


@dataclass(frozen=True)
class UpdateStage:
    address: str
    api: str
    name: str
    patches: tuple[Patch, ...]

    def describe(self) -> str:
        return f"update stage {self.name}: " + ", ".join(p.describe() for p in self.patches)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "update_stage", "address": self.address, "api": self.api,
                "name": self.name, "patches": [p.to_dict() for p in self.patches]}


@dataclass(frozen=True)
class DeployCanary:
    """The new deployment goes to the stage's canary; the stable deployment keeps serving.

    ONE update_stage: ``/canarySettings/deploymentId`` (the new deployment), the percent, the
    cache choice and the variable overrides of the file's canary policy, and any other
    settings change of the stage (``patches``).
    """

    address: str
    api: str
    name: str
    deployment: str  # the deployment's address
    percent: float
    variables: tuple[tuple[str, str], ...] = ()
    use_stage_cache: bool = False
    drop_variables: tuple[str, ...] = ()  # overrides the live canary has and the policy not
    patches: tuple[Patch, ...] = ()

    def describe(self) -> str:
        return (f"{self.name}: canary {self.percent:g}% -> new deployment; "
                "stable deployment unchanged")

    def to_dict(self) -> dict[str, Any]:
        return {"op": "deploy_canary", "address": self.address, "api": self.api,
                "name": self.name, "deployment": self.deployment, "percent": self.percent,
                "variables": _pairs(self.variables), "use_stage_cache": self.use_stage_cache,
                "drop_variables": list(self.drop_variables),
                "patches": [p.to_dict() for p in self.patches]}


@dataclass(frozen=True)
class CreateUsagePlan:
    """create_usage_plan with its throttle, quota, API stages (per-method throttles) and tags.

    API stages name the API by address (``api:<name>``) or, for another API, ``id:<apiId>``.
    """

    address: str  # usage_plan:<name>
    name: str
    description: str | None = None
    throttle: Throttle | None = None
    quota: tuple[int, str, int] | None = None  # (limit, period, offset)
    api_stages: tuple[UsagePlanStage, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        stages = ", ".join(f"{s.api}:{s.stage}" for s in self.api_stages) or "no stages"
        return f"create usage plan {self.name} ({stages})"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "create_usage_plan", "address": self.address, "name": self.name,
                "description": self.description,
                "throttle": self.throttle.to_dict() if self.throttle else None,
                "quota": list(self.quota) if self.quota else None,
                "api_stages": [s.to_dict() for s in self.api_stages], "tags": _pairs(self.tags)}


@dataclass(frozen=True)
class UpdateUsagePlan:
    """ONE update_usage_plan with every patch; ``{api:<name>}`` in a path or value is the id."""

    address: str
    name: str
    patches: tuple[Patch, ...]

    def describe(self) -> str:
        return f"update usage plan {self.name}: " + ", ".join(p.describe() for p in self.patches)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "update_usage_plan", "address": self.address, "name": self.name,
                "patches": [p.to_dict() for p in self.patches]}


@dataclass(frozen=True)
class DeleteUsagePlan:
    """Detach the plan's API stages (one update_usage_plan), then delete_usage_plan."""

    address: str
    name: str
    api_stages: tuple[str, ...] = ()  # "{api:<name>}:<stage>" values to detach first

    def describe(self) -> str:
        return f"delete usage plan {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "delete_usage_plan", "address": self.address, "name": self.name,
                "api_stages": list(self.api_stages)}


@dataclass(frozen=True)
class KeyRow:
    """One key of an import: the value is NOT here (the executor takes it from the secrets)."""

    address: str  # api_key:<name>
    name: str
    description: str | None = None
    enabled: bool = True
    usage_plans: tuple[str, ...] = ()  # plan addresses

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "name": self.name, "description": self.description,
                "enabled": self.enabled, "usage_plans": list(self.usage_plans),
                "value": "(sensitive)"}


@dataclass(frozen=True)
class ImportApiKeys:
    """ONE import_api_keys (CSV with a UsagePlanIds column) for every new key with a value."""

    address: str  # api_keys:import
    rows: tuple[KeyRow, ...]

    def describe(self) -> str:
        names = ", ".join(r.name for r in self.rows)
        return f"import {len(self.rows)} API key(s) with their plans in one call: {names}"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "import_api_keys", "address": self.address,
                "rows": [r.to_dict() for r in self.rows]}


@dataclass(frozen=True)
class CreateApiKey:
    """create_api_key whose value AWS generates, then create_usage_plan_key per plan."""

    address: str
    name: str
    description: str | None = None
    enabled: bool = True
    customer_id: str | None = None
    usage_plans: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"create API key {self.name} (value generated by AWS)"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "create_api_key", "address": self.address, "name": self.name,
                "description": self.description, "enabled": self.enabled,
                "customer_id": self.customer_id, "usage_plans": list(self.usage_plans),
                "tags": _pairs(self.tags)}


@dataclass(frozen=True)
class UpdateApiKey:
    address: str
    name: str
    patches: tuple[Patch, ...]

    def describe(self) -> str:
        return f"update API key {self.name}: " + ", ".join(p.describe() for p in self.patches)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "update_api_key", "address": self.address, "name": self.name,
                "patches": [p.to_dict() for p in self.patches]}


@dataclass(frozen=True)
class LinkApiKey:
    """create_usage_plan_key (or delete_usage_plan_key with ``remove``) for an existing key."""

    address: str  # the key's
    plan: str  # the plan's address
    remove: bool = False

    def describe(self) -> str:
        return f"{'unlink' if self.remove else 'link'} {self.address} " \
               f"{'from' if self.remove else 'to'} {self.plan}"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "link_api_key", "address": self.address, "plan": self.plan,
                "remove": self.remove}


@dataclass(frozen=True)
class DeleteApiKey:
    """delete_api_key: a key the file dropped, or the old key of one whose value changed."""

    address: str
    name: str
    reason: str = "removed from the deployment file"

    def describe(self) -> str:
        return f"delete API key {self.name} ({self.reason})"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "delete_api_key", "address": self.address, "name": self.name,
                "reason": self.reason}


Op = (CreateRestApi | PutRestApi | TagResource | UpdateRestApi | CreateDeployment | CreateStage
      | UpdateStage | DeployCanary | CreateUsagePlan | UpdateUsagePlan | DeleteUsagePlan
      | ImportApiKeys | CreateApiKey | UpdateApiKey | LinkApiKey | DeleteApiKey)

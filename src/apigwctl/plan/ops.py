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


def _pairs(items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return dict(items)


@dataclass(frozen=True)
class Patch:
    """One JSON-patch operation of update_stage. ``value`` may name a deployment address."""

    op: str  # replace | remove
    path: str
    value: str | None = None

    def describe(self) -> str:
        if self.value is None:
            return f"{self.op} {self.path}"
        shown = self.value if self.path == "/deploymentId" else json.dumps(self.value)
        return f"{self.op} {self.path} = {shown}"

    def to_dict(self) -> dict[str, Any]:
        out = {"op": self.op, "path": self.path}
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
class TagRestApi:
    """tag_resource / untag_resource on the REST API: no deployment needed."""

    address: str
    tags: tuple[tuple[str, str], ...] = ()
    remove: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"set {', '.join(k for k, _ in self.tags)}"] if self.tags else []
        parts += [f"remove {', '.join(self.remove)}"] if self.remove else []
        return f"tag {self.address}: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"op": "tag_rest_api", "address": self.address, "tags": _pairs(self.tags),
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
    address: str  # stage:<api>:<name>
    api: str
    name: str
    deployment: str  # address of the deployment it points at
    description: str | None = None
    variables: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return f"create stage {self.name} on {self.deployment}"

    def to_dict(self) -> dict[str, Any]:
        return {"op": "create_stage", "address": self.address, "api": self.api,
                "name": self.name, "deployment": self.deployment,
                "description": self.description, "variables": _pairs(self.variables)}


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


Op = (CreateRestApi | PutRestApi | TagRestApi | UpdateRestApi | CreateDeployment | CreateStage
      | UpdateStage)

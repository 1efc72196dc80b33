"""Plan files (``plan -o plan.json``, ``apply plan.json``) and the JSON form of a plan.

A plan file is the plan's machine form plus what it was made from: the deployment file and
spec (path and SHA-256), the target, and a digest of the live state it was planned against.
``apply PLANFILE`` re-reads all three and refuses a stale plan, so what runs is exactly what
was reviewed. ``plan --format json`` prints the same document.

The live digest covers the live model AND its ids: an API deleted and recreated identically
by someone else is still a different API.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigwctl import __version__
from apigwctl.errors import ApigwctlError
from apigwctl.model import ApiState
from apigwctl.plan.planner import Plan

FORMAT = "apigwctl-plan"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Origin:
    """What a plan was made from; two equal origins give the same plan."""

    config_path: str
    config_sha256: str
    spec_path: str
    spec_sha256: str
    target: Mapping[str, str | None]
    live_sha256: str
    key_salt: str = ""  # hex; the API keys' value digests in the plan use it

    def to_dict(self) -> dict[str, Any]:
        return {"config": {"path": self.config_path, "sha256": self.config_sha256},
                "spec": {"path": self.spec_path, "sha256": self.spec_sha256},
                "target": dict(self.target), "live": {"sha256": self.live_sha256},
                "key_salt": self.key_salt}


@dataclass(frozen=True)
class PlanFile:
    origin: Origin
    plan: Mapping[str, Any]  # Plan.to_dict()
    apigwctl_version: str


def sha256_of(chunks: Sequence[bytes]) -> str:
    """One digest over several files' bytes (the spec and the files its $refs load)."""
    digest = hashlib.sha256()
    for data in chunks:
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def live_sha256(live: ApiState | None) -> str:
    if live is None:
        return hashlib.sha256(b"absent").hexdigest()
    doc = {"state": live.to_dict(), "ids": dict(sorted(live.ids.items()))}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def plan_document(plan: Plan, origin: Origin) -> dict[str, Any]:
    """The plan file's content (and ``plan --format json``'s output)."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "apigwctl_version": __version__, **origin.to_dict(), "plan": plan.to_dict()}


def write_plan_file(path: Path, plan: Plan, origin: Origin) -> None:
    text = json.dumps(plan_document(plan, origin), indent=2, sort_keys=True) + "\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # never a half-written plan file under the final name


def read_plan_file(path: Path) -> PlanFile:
    """Parse a plan file; anything else is an error located in the file."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ApigwctlError(f"cannot read the plan file: {exc.strerror}", where=str(path),
                            hint="make it with `apigwctl plan -o FILE`") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise ApigwctlError(f"not a plan file: invalid JSON ({exc})",
                            where=f"{path}:{line}:{col}",
                            hint="make it with `apigwctl plan -o FILE`") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ApigwctlError("not an apigwctl plan file (no \"format\": \"apigwctl-plan\")",
                            where=f"{path}:1:1", hint="make it with `apigwctl plan -o FILE`")
    if doc.get("format_version") != FORMAT_VERSION:
        raise ApigwctlError(
            f"plan file format {doc.get('format_version')!r} is not {FORMAT_VERSION}",
            where=f"{path}:1:1", hint="make the plan again with this apigwctl")
    return _parsed(path, doc)


def _parsed(path: Path, doc: Mapping[str, Any]) -> PlanFile:
    try:
        origin = Origin(
            config_path=str(doc["config"]["path"]), config_sha256=str(doc["config"]["sha256"]),
            spec_path=str(doc["spec"]["path"]), spec_sha256=str(doc["spec"]["sha256"]),
            target={str(k): None if v is None else str(v) for k, v in doc["target"].items()},
            live_sha256=str(doc["live"]["sha256"]), key_salt=str(doc.get("key_salt", "")))
        plan = doc["plan"]
        if not isinstance(plan, dict):
            raise TypeError("plan is not an object")
    except (KeyError, TypeError, AttributeError) as exc:
        raise ApigwctlError(f"damaged plan file: {exc!r} missing or malformed",
                            where=f"{path}:1:1", hint="make the plan again") from exc
    return PlanFile(origin, plan, str(doc.get("apigwctl_version", "")))


def stale_reasons(saved: Origin, now: Origin) -> list[str]:
    """Why a saved plan no longer describes what apply would do (empty: it still does)."""
    reasons = []
    if saved.target != now.target:
        reasons.append(f"it was made for target {_target(saved)}, not {_target(now)}")
    if saved.config_sha256 != now.config_sha256:
        reasons.append(f"{now.config_path} changed since")
    if saved.spec_sha256 != now.spec_sha256:
        reasons.append(f"{now.spec_path} changed since")
    if saved.live_sha256 != now.live_sha256:
        reasons.append("the live API changed since (another apply, or a change by hand)")
    return reasons


def _target(origin: Origin) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(origin.target.items()) if v)

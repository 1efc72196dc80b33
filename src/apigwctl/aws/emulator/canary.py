"""A stage's canary as AWS keeps it (reference §6.1, §6.4); moto 5.2.5 has none.

moto ignores ``canarySettings`` everywhere: ``create_deployment`` with them repoints the
stage's stable ``deploymentId`` (and drops its variables), ``create_stage`` and every
``/canarySettings`` patch are accepted and forget them, and the promote ``copy`` ops are a
``ValidationException`` (findings §1.4). :mod:`stages` stores the canary on moto's ``Stage``
as ``canary_settings`` (a dict, pickled and journaled with it) and calls this module for
create-with-canary, the canary patch paths (shift, attach, overrides, remove) and promote.

Sources. [rec] = AWS responses recorded by LocalStack's AWS-validated tests
(localstack/localstack ``tests/aws/services/apigateway/test_apigateway_canary.py`` and its
``.snapshot.json``, recorded 2025-05-30); [guide] = the developer guide's canary pages
(reference §6.4); [sls] = serverless/serverless#11518 (CloudFormation relaying AWS's
``CreateDeployment`` error).

- ``create_deployment(stageName, canarySettings)``: the new deployment becomes
  ``canarySettings.deploymentId``; the stage's ``deploymentId`` stays [rec]. The stage must
  exist and be named, in AWS's words [rec]. An existing canary is replaced as a whole by the
  new one (the settings given are the new canary's; [rec] shows a second canary deployment
  replacing the first's percent and overrides).
- A deployment *without* ``canarySettings`` onto a stage with a canary is refused: "the stage
  cannot be associated with another non-canary release deployment until the canary is
  removed" (reference §6.1), AWS's words from [sls].
- ``create_stage(canarySettings)``: stored; ``deploymentId`` defaults to the stage's, and one
  that does not exist is "Deployment id does not exist" [rec].
- Read back (``GetStage``): ``canarySettings`` = ``deploymentId``, ``percentTraffic`` (a
  float), ``stageVariableOverrides`` (absent when empty), ``useStageCache``; no key at all
  without a canary [rec].
- ``update_stage``: ``replace`` on ``/canarySettings/{percentTraffic, deploymentId,
  useStageCache, stageVariableOverrides/<name>}``; ``remove`` on an override and on
  ``/canarySettings`` [guide]. A ``replace`` on a stage without a canary creates one first,
  with ``deploymentId`` = the stage's, ``percentTraffic`` 0.0 and ``useStageCache`` false
  [rec] (the attach form of §6.4). ``add`` is "Invalid add operation with path: ..." [rec];
  unknown canary paths answer as AWS does for unknown paths [rec]. Percent 0.0-100.0 [model
  doc]; a canary ``deploymentId`` must exist [rec]; overrides follow the stage-variable rules.
- Promote: ``copy`` from ``/canarySettings/deploymentId`` to ``/deploymentId`` and from
  ``/canarySettings/stageVariableOverrides`` to ``/variables`` are the only copies [rec];
  without a canary: "Promotion not available. Canary does not exist." [rec]. The variables
  copy MERGES: overrides win, the stage's other variables stay (the reference left it
  unverified; [rec] shows ``{testVar: test, testVar2: test2}`` + override ``testVar`` ->
  ``{testVar: override, testVar2: test2}``). Promotion keeps the canary [guide, rec].

Chosen where no source says (UNVERIFIED on AWS): ``remove /canarySettings`` without a canary
and ``remove`` of an override that is not there are no-ops (as ``remove /variables/x`` is
here); a ``remove`` of an override on a stage without a canary does not create one;
``remove`` on ``percentTraffic``/``deploymentId``/``useStageCache`` answers like ``add``;
the wording of our range and type errors.
"""

from __future__ import annotations

from typing import Any

from moto.apigateway.exceptions import BadRequestException

from apigwctl.aws.emulator.patching import (
    PatchOp,
    bad_request,
    check_variable,
    check_variables,
    op_value,
    parse_bool,
    parse_float,
    unescape,
)

ROOT = "/canarySettings"
OVERRIDES = f"{ROOT}/stageVariableOverrides/"
# copy path -> the only from AWS accepts for it [rec]
COPIES = {"/deploymentId": f"{ROOT}/deploymentId",
          "/variables": f"{ROOT}/stageVariableOverrides"}
MISSING_DEPLOYMENT = "Deployment id does not exist"  # [rec], as for /deploymentId
CONTENT = "Invalid deployment content specified."  # AWS's prefix for CreateDeployment [rec]


def settings_of(stage: Any) -> dict[str, Any] | None:
    """The stage's canary (``None`` without one, and on stages pickled before canaries)."""
    settings: dict[str, Any] | None = getattr(stage, "canary_settings", None)
    return settings


def canary_json(settings: dict[str, Any]) -> dict[str, Any]:
    """``Stage.canarySettings`` as AWS answers it [rec]."""
    out: dict[str, Any] = {"deploymentId": settings["deploymentId"],
                           "percentTraffic": float(settings["percentTraffic"])}
    if settings.get("stageVariableOverrides"):
        out["stageVariableOverrides"] = dict(settings["stageVariableOverrides"])
    out["useStageCache"] = bool(settings.get("useStageCache"))
    return out


def _new(deployment_id: str) -> dict[str, Any]:
    return {"deploymentId": deployment_id, "percentTraffic": 0.0,
            "stageVariableOverrides": {}, "useStageCache": False}


# --- canarySettings in create_deployment / create_stage requests ----------------------------

def _percent(raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise bad_request(f"Invalid canary settings: percentTraffic {raw!r} is not a number")
    if not 0.0 <= float(raw) <= 100.0:
        raise bad_request("Invalid canary settings: percentTraffic must be between 0.0 and 100.0")
    return float(raw)


def _requested(raw: Any, deployment_id: str) -> dict[str, Any]:
    """Checked ``DeploymentCanarySettings``/``CanarySettings`` of a request, with
    ``deployment_id`` where the request names none."""
    if not isinstance(raw, dict):
        raise bad_request("Invalid canary settings: must be an object")
    settings = _new(deployment_id)
    if raw.get("percentTraffic") is not None:
        settings["percentTraffic"] = _percent(raw["percentTraffic"])
    settings["stageVariableOverrides"] = check_variables(raw.get("stageVariableOverrides"))
    cache = raw.get("useStageCache")
    if cache is not None and not isinstance(cache, bool):
        raise bad_request(f"Invalid canary settings: useStageCache {cache!r} is not a boolean")
    settings["useStageCache"] = bool(cache)
    return settings


def check_deployment_target(name: str | None, existing: Any) -> None:
    """A canary deployment names a stage that exists, in AWS's words [rec]."""
    if not name:
        shown = "null" if name is None else name
        raise bad_request(f"{CONTENT}Non null and non empty stageName must be provided for "
                          f"canary deployment. Provided value is {shown}")
    if existing is None:
        raise bad_request(f"{CONTENT}Stage {name} must already be created before making a "
                          "canary release deployment")


def check_non_canary_deployment(name: str | None, existing: Any) -> None:
    """Reference §6.1: no non-canary deployment onto a stage whose canary is enabled ([sls])."""
    if existing is not None and settings_of(existing) is not None:
        raise bad_request(f"{CONTENT}Non canary deployment not supported on stage {name} "
                          "because Canary is enabled. Provide CanarySettings in "
                          "deploymentInput.")


def deployment_canary(raw: Any) -> dict[str, Any]:
    """``create_deployment``'s ``canarySettings``, checked; its ``deploymentId`` is set once
    the deployment exists."""
    return _requested(raw, "")


def stage_canary(raw: Any, stage_deployment: str, deployments: dict[str, Any]) -> dict[str, Any]:
    """``create_stage``'s ``canarySettings``: ``deploymentId`` defaults to the stage's."""
    settings = _requested(raw, stage_deployment)
    wanted = raw.get("deploymentId") if isinstance(raw, dict) else None
    if wanted is not None:
        if wanted not in deployments:
            raise bad_request(MISSING_DEPLOYMENT)
        settings["deploymentId"] = wanted
    return settings


# --- update_stage ---------------------------------------------------------------------------

def patch(stage: Any, op: PatchOp, deployments: dict[str, Any]) -> bool:
    """Apply one ``/canarySettings...`` operation (not ``copy``) to ``stage``; ``False`` when
    the path is not one AWS knows for ``replace`` (the caller answers "Invalid method setting
    path", AWS's words for it [rec])."""
    path, kind = op["path"], str(op.get("op"))
    if kind == "remove":
        _remove(stage, path)
        return True
    field = path[len(ROOT) + 1:] if path.startswith(f"{ROOT}/") else ""
    known = field in ("percentTraffic", "deploymentId", "useStageCache") or (
        path.startswith(OVERRIDES) and len(path) > len(OVERRIDES))
    if kind != "replace":
        if known or path == ROOT:
            raise bad_request(f"Invalid {kind} operation with path: {path}")  # [rec] for add
        return False
    if not known:
        return False
    value = _replacement(field, op, deployments)
    settings = settings_of(stage)
    if settings is None:  # attach: a canary on the stage's own deployment [rec]
        settings = stage.canary_settings = _new(stage.deployment_id)
    if path.startswith(OVERRIDES):
        name = unescape(path[len(OVERRIDES):])
        check_variable(name, value)
        settings["stageVariableOverrides"][name] = value
    else:
        settings[field] = value
    return True


def _replacement(field: str, op: PatchOp, deployments: dict[str, Any]) -> Any:
    if field == "percentTraffic":
        return parse_float(op, 0.0, 100.0)
    if field == "useStageCache":
        return parse_bool(op)
    value = op_value(op)
    if field == "deploymentId" and value not in deployments:
        raise bad_request(MISSING_DEPLOYMENT)
    return value


def _remove(stage: Any, path: str) -> None:
    settings = settings_of(stage)
    if path == ROOT:
        stage.canary_settings = None
    elif path.startswith(OVERRIDES) and len(path) > len(OVERRIDES):
        if settings is not None:
            settings["stageVariableOverrides"].pop(unescape(path[len(OVERRIDES):]), None)
    elif path in (f"{ROOT}/percentTraffic", f"{ROOT}/deploymentId", f"{ROOT}/useStageCache"):
        raise bad_request(f"Invalid remove operation with path: {path}")
    else:  # AWS's words, trailing space included [rec]
        raise bad_request(f"Cannot remove method setting {path.lstrip('/')} because there is "
                          "no method setting for this method ")


def copy(stage: Any, op: PatchOp) -> None:
    """One promote operation (reference §6.4): the canary's deployment becomes the stage's,
    or its overrides are merged over the stage's variables (overrides win, others kept)."""
    path, source = op["path"], op.get("from")
    if COPIES.get(path) != source:
        raise _invalid_copy(path, source)
    settings = settings_of(stage)
    if settings is None:
        raise bad_request("Promotion not available. Canary does not exist.")  # [rec]
    if path == "/deploymentId":
        stage.deployment_id = settings["deploymentId"]
    else:
        stage.variables.update(settings["stageVariableOverrides"])


def _invalid_copy(path: str, source: Any) -> BadRequestException:
    """AWS's words [rec], with this request's path and from."""
    shown = "null" if source is None else source
    return bad_request(f"Invalid copy operation with path: {path} and from {shown}. Valid "
                       f"copy:path are [{', '.join(COPIES)}] and valid copy:from are "
                       f"[{', '.join(COPIES.values())}]")

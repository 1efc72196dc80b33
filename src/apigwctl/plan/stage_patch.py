"""Stage settings -> the minimal update_stage patch operations (reference §6.3).

Input: the live :class:`Stage` (or None for a stage being created) and the desired one.
Output: patch operations, all for ONE update_stage call. Values are strings, as AWS takes
them. Pure. What ``create_stage`` itself carries (description, variables, cache cluster,
tracing, tags) is left out for a new stage; tags never go through update_stage (they are
``tag_resource`` on the stage ARN).
"""

from __future__ import annotations

from dataclasses import fields

from apigwctl.model import MethodSetting, Stage
from apigwctl.plan.ops import Patch

# MethodSetting field -> its patch-path suffix (reference §6.3's table).
SETTING_PATHS = {
    "metrics_enabled": "metrics/enabled",
    "logging_level": "logging/loglevel",
    "data_trace_enabled": "logging/dataTrace",
    "throttling_rate_limit": "throttling/rateLimit",
    "throttling_burst_limit": "throttling/burstLimit",
    "caching_enabled": "caching/enabled",
    "cache_ttl_in_seconds": "caching/ttlInSeconds",
    "cache_data_encrypted": "caching/dataEncrypted",
    "require_authorization_for_cache_control": "caching/requireAuthorizationForCacheControl",
    "unauthorized_cache_control_header_strategy":
        "caching/unauthorizedCacheControlHeaderStrategy",
}
_DEFAULTS = MethodSetting("*/*")


def text(value: object) -> str:
    """A patch value as AWS takes it: booleans lower-case, numbers without a needless .0."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def method_key_path(key: str) -> str:
    """``/pets/{petId}/GET`` -> ``/~1pets~1{petId}/GET`` (JSON-pointer escaping); ``*/*`` stays."""
    if key == "*/*":
        return "/*/*"
    path, _, method = key.rpartition("/")
    return "/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def stage_patches(before: Stage | None, after: Stage) -> list[Patch]:
    """Every change from ``before`` to ``after`` as patch operations, in a stable order."""
    new = before is None
    old = before or Stage(after.name)
    out: list[Patch] = []
    if not new and old.description != after.description:
        out.append(Patch("replace", "/description", after.description or ""))
    if not new:
        out.extend(_variables(old, after))
        out.extend(_cache(old, after))
        if old.tracing_enabled != after.tracing_enabled:
            out.append(Patch("replace", "/tracingEnabled", text(after.tracing_enabled)))
    out.extend(_access_log(old, after))
    if old.client_certificate_id != after.client_certificate_id:
        out.append(Patch("replace", "/clientCertificateId", after.client_certificate_id or ""))
    out.extend(_method_settings(old, after))
    return out


def _variables(old: Stage, new: Stage) -> list[Patch]:
    before, after = dict(old.variables), dict(new.variables)
    return ([Patch("replace", f"/variables/{k}", v) for k, v in sorted(after.items())
             if before.get(k) != v]
            + [Patch("remove", f"/variables/{k}") for k in sorted(before) if k not in after])


def _cache(old: Stage, new: Stage) -> list[Patch]:
    out = []
    if old.cache_cluster_enabled != new.cache_cluster_enabled:
        out.append(Patch("replace", "/cacheClusterEnabled", text(new.cache_cluster_enabled)))
    if new.cache_cluster_enabled and old.cache_cluster_size != new.cache_cluster_size:
        out.append(Patch("replace", "/cacheClusterSize", new.cache_cluster_size or "0.5"))
    return out


def _access_log(old: Stage, new: Stage) -> list[Patch]:
    wanted = (new.access_log_destination_arn, new.access_log_format)
    if (old.access_log_destination_arn, old.access_log_format) == wanted:
        return []
    if wanted == (None, None):
        return [Patch("remove", "/accessLogSettings")]
    return [Patch("replace", f"/accessLogSettings/{name}", value or "")
            for name, value, before in (
                ("destinationArn", new.access_log_destination_arn,
                 old.access_log_destination_arn),
                ("format", new.access_log_format, old.access_log_format))
            if value != before]


def _method_settings(old: Stage, new: Stage) -> list[Patch]:
    before = {m.key: m for m in old.method_settings}
    after = {m.key: m for m in new.method_settings}
    out = [Patch("remove", method_key_path(k)) for k in sorted(before) if k not in after]
    for key, setting in sorted(after.items()):
        base = before.get(key, _DEFAULTS)
        changed = [f.name for f in fields(MethodSetting) if f.name in SETTING_PATHS
                   and getattr(setting, f.name) != getattr(base, f.name)]
        if key not in before and not changed:  # all defaults: one patch still creates it
            changed = ["metrics_enabled"]
        out.extend(Patch("replace", f"{method_key_path(key)}/{SETTING_PATHS[name]}",
                         text(getattr(setting, name))) for name in changed)
    return out

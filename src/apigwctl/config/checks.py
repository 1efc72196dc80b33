"""Cross-checks of a deployment file that passed its schema: what one part says of another.

Input: a :class:`DeploymentConfig` (and, for :func:`route_problems`, the spec's routes).
Output: :class:`~apigwctl.config.interpolate.Problem` values at the pointer to fix; the loader
places them at line:col. Pure. A problem about an API key's value names the key, never the
value, nor even its length.

Rules: E3030 (method key form; route of the spec), W3031 (caching without a cache cluster),
E3032 (a plan's stage is not defined), E3033 (a key's plan is not defined), E3034 (key value
length or characters), E3035 (two keys, one value), E3036 (a key in two plans of one stage).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from apigwctl.compile import Routes
from apigwctl.config.interpolate import Problem
from apigwctl.config.model import ApiKeyConfig, DeploymentConfig
from apigwctl.normalize import ALL_METHODS_KEY

METHOD_KEY = "E3030"
CACHING_WITHOUT_CLUSTER = "W3031"
PLAN_STAGE_UNDEFINED = "E3032"
KEY_PLAN_UNDEFINED = "E3033"
KEY_VALUE_INVALID = "E3034"
KEY_VALUE_DUPLICATE = "E3035"
KEY_STAGE_TWICE = "E3036"

KEY_VALUE_MIN, KEY_VALUE_MAX = 20, 128  # reference aws-apigateway.md §5
# One verb a key: AWS refuses `ANY` and a wildcard verb on a path ("Invalid method setting
# path"; the emulator follows, see aws/emulator/stages.py), and a usage plan's method throttle
# takes the same verbs (aws/emulator/usage_plans.py).
_VERBS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_FORM = re.compile(r"^(/|(?:/[^/\s~]+)+)/([^/]+)$")  # "/" or "/a/b", no empty segment
_PRINTABLE_ASCII = re.compile(r"[\x21-\x7e]*")


def config_problems(config: DeploymentConfig) -> list[Problem]:
    """Every cross-check that needs only the deployment file."""
    return [*_method_key_forms(config), *_caching_without_cluster(config),
            *_plan_stages(config), *_key_plans(config), *_key_values(config.api_keys),
            *_key_stage_twice(config)]


def route_problems(config: DeploymentConfig, routes: Routes, spec: str) -> list[Problem]:
    """E3030 for each well-formed method key that names no route of the spec ``spec``
    (``/path/VERB`` is a route when the spec has VERB, or ANY, at path)."""
    out = []
    for pointer, key, all_methods in _method_keys(config):
        if key == ALL_METHODS_KEY or form_problem(key, all_methods) is not None:
            continue
        path = key.rpartition("/")[0]
        if key not in routes.methods and f"{path}/ANY" not in routes.methods:
            close = difflib.get_close_matches(key, sorted(routes.methods), n=1, cutoff=0.6)
            out.append(Problem(METHOD_KEY, pointer, f"method key {key!r} is not a route of "
                               f"{spec}", f"did you mean `{close[0]}`?" if close else
                               "write a path and method of the spec as `/path/METHOD`"))
    return out


def form_problem(key: str, all_methods: bool) -> str | None:
    """Why ``key`` is not ``*/*`` (where allowed) or ``/path/VERB``; None if it is."""
    if key == ALL_METHODS_KEY:
        return None if all_methods else "`*/*` is not allowed here: name one route"
    m = _FORM.match(key)
    if m is None:
        return "write `/path/METHOD` as the spec writes the path (the root's GET is `//GET`)"
    verb = m[2]
    if verb.upper() in _VERBS and verb != verb.upper():
        return f"write the method in upper case: `{m[1]}/{verb.upper()}`"
    if verb not in _VERBS:
        every = " (`*/*` covers every method)" if all_methods else ""
        return f"{verb!r} is not one method: use one of {', '.join(sorted(_VERBS))}{every}"
    return None


def _method_keys(config: DeploymentConfig) -> Iterator[tuple[tuple[str, ...], str, bool]]:
    """(pointer, key, whether `*/*` is allowed) of every method key."""
    for stage in config.stages:
        for setting in stage.method_settings:
            yield ("stages", stage.name, "method_settings", setting.key), setting.key, True
    for plan in config.usage_plans:
        for ps in plan.stages:
            for key in ps.throttle:
                yield ("usage_plans", plan.name, "stages", ps.stage, "throttle", key), key, False


def _method_key_forms(config: DeploymentConfig) -> Iterator[Problem]:
    """A well-formed key is already canonical (method_key(k) == k), so no two collide."""
    for pointer, key, all_methods in _method_keys(config):
        why = form_problem(key, all_methods)
        if why is not None:
            yield Problem(METHOD_KEY, pointer, f"method key {key!r} is malformed", why)


def _caching_without_cluster(config: DeploymentConfig) -> Iterator[Problem]:
    for stage in config.stages:
        if stage.cache_cluster_enabled:
            continue
        for setting in stage.method_settings:
            if setting.caching_enabled:
                yield Problem(
                    CACHING_WITHOUT_CLUSTER,
                    ("stages", stage.name, "method_settings", setting.key, "caching", "enabled"),
                    f"caching is enabled for {setting.key!r} but stage {stage.name!r} has no "
                    "cache cluster: nothing will be cached",
                    f"add `cache_cluster: {{enabled: true}}` under stages.{stage.name} "
                    "(billed hourly)")


def _plan_stages(config: DeploymentConfig) -> Iterator[Problem]:
    defined = {s.name for s in config.stages}
    for plan in config.usage_plans:
        for ps in plan.stages:
            if ps.stage not in defined:
                yield Problem(PLAN_STAGE_UNDEFINED, ("usage_plans", plan.name, "stages", ps.stage),
                              f"usage plan {plan.name!r} names stage {ps.stage!r}, which "
                              "`stages` does not define",
                              _one_of("stages", ps.stage, defined))


def _key_plans(config: DeploymentConfig) -> Iterator[Problem]:
    defined = {p.name for p in config.usage_plans}
    for key in config.api_keys:
        for i, plan in enumerate(key.usage_plans):
            if plan not in defined:
                yield Problem(KEY_PLAN_UNDEFINED, ("api_keys", key.name, "usage_plans", i),
                              f"API key {key.name!r} names usage plan {plan!r}, which "
                              "`usage_plans` does not define",
                              _one_of("usage_plans", plan, defined))


def _one_of(section: str, name: str, defined: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(defined), n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return f"define {name!r} under `{section}`" + (
        f" (defined: {', '.join(sorted(defined))})" if defined else "")


def _key_values(keys: tuple[ApiKeyConfig, ...]) -> Iterator[Problem]:
    """E3034 and E3035; never the value, nor its length, in a message."""
    first_with: dict[object, str] = {}
    for key in keys:
        if key.value is None:
            continue
        pointer = ("api_keys", key.name, "value")
        why = _value_problem(key.value.reveal())
        if why is not None:
            yield Problem(KEY_VALUE_INVALID, pointer, f"the value of API key {key.name!r} {why}",
                          "use 20-128 letters and digits (or leave `value` out: AWS "
                          "generates one)")
        if key.value in first_with:
            yield Problem(KEY_VALUE_DUPLICATE, pointer,
                          f"API key {key.name!r} has the same value as API key "
                          f"{first_with[key.value]!r}: AWS would treat them as one key",
                          "give each key its own value")
        first_with.setdefault(key.value, key.name)


def _value_problem(value: str) -> str | None:
    if len(value) < KEY_VALUE_MIN:
        return f"is shorter than {KEY_VALUE_MIN} characters (AWS requires 20-128)"
    if len(value) > KEY_VALUE_MAX:
        return f"is longer than {KEY_VALUE_MAX} characters (AWS requires 20-128)"
    if not _PRINTABLE_ASCII.fullmatch(value):
        return ("has a space, a control or a non-ASCII character (it travels in the "
                "x-api-key header)")
    return None


def _key_stage_twice(config: DeploymentConfig) -> Iterator[Problem]:
    """AWS links a key to at most one usage plan per API stage (reference §5)."""
    stages_of = {p.name: {s.stage for s in p.stages} for p in config.usage_plans}
    for key in config.api_keys:
        owner: dict[str, str] = {}
        for i, plan in enumerate(key.usage_plans):
            for stage in sorted(stages_of.get(plan, set())):
                if stage in owner and owner[stage] != plan:
                    yield Problem(KEY_STAGE_TWICE, ("api_keys", key.name, "usage_plans", i),
                                  f"API key {key.name!r} is in usage plans {owner[stage]!r} and "
                                  f"{plan!r}, which both serve stage {stage!r}",
                                  "AWS allows one plan per stage for a key: keep one of them")
                    break
                owner.setdefault(stage, plan)

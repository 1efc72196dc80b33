"""Rules for the deployment file ``apigwctl.yaml`` (ids 3000-3099).

They are registered so ``apigwctl rules`` lists them and their ids stay stable; the
deployment-file loader (:mod:`apigwctl.config.loader`) reports the findings, never the
spec engine (``reported_by_loader``). Parse errors, duplicate keys and a top level that is
not a mapping reuse E0001, E0006 and E0005.
"""

from __future__ import annotations

from apigwctl.spec.rules.base import DOCS, Rule, register

_SCHEMA_HINT = "run `apigwctl schema` to see every key of apigwctl.yaml"


class _DeploymentFileRule(Rule):
    reported_by_loader = True
    doc_url = DOCS + "import-export-api.html"


@register
class UnknownKey(_DeploymentFileRule):
    id = "E3001"
    description = ("apigwctl.yaml has a key its schema does not know (misspelt, or not supported "
                   "yet).")
    hint = _SCHEMA_HINT


@register
class WrongType(_DeploymentFileRule):
    id = "E3002"
    description = "A value in apigwctl.yaml has the wrong type (e.g. a number where a string goes)."
    hint = _SCHEMA_HINT


@register
class InvalidValue(_DeploymentFileRule):
    id = "E3003"
    description = "A value or name in apigwctl.yaml is not allowed (enum, pattern, length, count)."
    hint = _SCHEMA_HINT


@register
class MissingKey(_DeploymentFileRule):
    id = "E3004"
    description = "apigwctl.yaml lacks a required key (api, api.name, api.spec)."
    hint = _SCHEMA_HINT


@register
class EnvUnset(_DeploymentFileRule):
    id = "E3010"
    description = "A `${env:NAME}` in apigwctl.yaml names an environment variable that is not set."
    hint = "export the variable, or write `$${env:NAME}` for the literal text"


@register
class BadInterpolation(_DeploymentFileRule):
    id = "E3011"
    description = ("apigwctl.yaml uses an interpolation other than `${env:NAME}`, or a malformed "
                   "one.")
    hint = "only `${env:NAME}` is supported; write `$${...}` for a literal `${...}`"


@register
class SpecMissing(_DeploymentFileRule):
    id = "E3020"
    description = "The spec named by `api.spec` in apigwctl.yaml does not exist."
    hint = "api.spec is relative to the deployment file's folder"


@register
class StageVariableUndefined(_DeploymentFileRule):
    """A WARNING, not an ERROR: import accepts it and AWS fails only at request time."""

    id = "W3021"
    description = ("The spec references a stage variable that a stage of apigwctl.yaml does not "
                   "define.")
    doc_url = DOCS + "stage-variables.html"
    hint = "define the variable under stages.<name>.variables"


@register
class StageVariableUnused(_DeploymentFileRule):
    """INFO: a Lambda backend may read the variable from its event, which no spec shows."""

    id = "I3022"
    description = ("A stage defines a variable the spec never references (a backend may still read "
                   "it).")
    doc_url = DOCS + "stage-variables.html"
    hint = "remove it if no backend reads it, or check its spelling against the spec"


@register
class FileUnreadable(_DeploymentFileRule):
    id = "E3012"
    description = ("An API key's `${file:PATH}` names a file that is missing, unreadable, or "
                   "outside the deployment file's folder.")
    doc_url = DOCS + "api-gateway-api-usage-plans.html"
    hint = "PATH is relative to apigwctl.yaml and must stay inside its folder (no `..`)"


@register
class MethodKeyUnknown(_DeploymentFileRule):
    """An ERROR: AWS accepts a method setting for a route that does not exist, and it then
    applies to nothing, silently."""

    id = "E3030"
    description = ("A method key in `method_settings` or a usage plan's per-method `throttle` "
                   "is malformed, or is not a route of the spec.")
    doc_url = DOCS + "set-up-stages.html"
    hint = "write `*/*` or `/path/METHOD` with a path and method of the spec"


@register
class CachingWithoutCluster(_DeploymentFileRule):
    """A WARNING: AWS stores the setting, but nothing is cached without a cache cluster."""

    id = "W3031"
    description = ("A method setting enables caching while its stage's cache cluster is off, "
                   "so nothing is cached.")
    doc_url = DOCS + "api-gateway-caching.html"
    hint = "add `cache_cluster: {enabled: true}` to the stage (billed hourly)"


@register
class UsagePlanStageUndefined(_DeploymentFileRule):
    id = "E3032"
    description = "A usage plan names a stage that `stages` of apigwctl.yaml does not define."
    doc_url = DOCS + "api-gateway-api-usage-plans.html"
    hint = "define the stage under `stages`, or remove it from the plan"


@register
class ApiKeyPlanUndefined(_DeploymentFileRule):
    id = "E3033"
    description = ("An API key names a usage plan that `usage_plans` of apigwctl.yaml does not "
                   "define.")
    doc_url = DOCS + "api-gateway-api-usage-plans.html"
    hint = "define the plan under `usage_plans`, or remove it from the key"


@register
class ApiKeyValueInvalid(_DeploymentFileRule):
    """The message names the key and the problem, never the value."""

    id = "E3034"
    description = ("An API key value is not 20-128 characters long, or has spaces, control or "
                   "non-ASCII characters.")
    doc_url = DOCS + "api-gateway-api-usage-plans.html"
    hint = "use 20-128 letters and digits (or leave `value` out: AWS generates one)"


@register
class ApiKeyValueDuplicate(_DeploymentFileRule):
    """AWS identifies an imported key by its value: a second key with the same value
    overwrites the first (reference aws-apigateway.md §5)."""

    id = "E3035"
    description = "Several API keys of apigwctl.yaml have the same value."
    doc_url = DOCS + "api-key-file-format.html"
    hint = "give each key its own value"


@register
class ApiKeyStageTwice(_DeploymentFileRule):
    """AWS refuses to link a key to a second plan serving the same API stage."""

    id = "E3036"
    description = ("An API key belongs to two usage plans that serve the same stage (AWS allows "
                   "one plan per stage for a key).")
    doc_url = DOCS + "api-gateway-api-usage-plans.html"
    hint = "keep the key in one of the plans, or give the plans different stages"

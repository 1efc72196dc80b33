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

"""Which live API is apigwctl's: the ownership tags, and choosing among same-named APIs.

API Gateway does not make REST API names unique, so the name alone cannot say which API a
deployment file manages, nor whether apigwctl made it. Every API apigwctl creates carries
two tags from its first call (``create_rest_api`` takes them): ``apigwctl:managed-by`` and
``apigwctl:api`` (the deployment file's ``api.name``). An API of the same name without them
was made by someone else: apigwctl refuses to overwrite it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from apigwctl.errors import ApigwctlError

MANAGED_BY_KEY = "apigwctl:managed-by"
MANAGED_BY = "apigwctl"
API_KEY = "apigwctl:api"
RESERVED_PREFIX = "apigwctl:"


@dataclass(frozen=True)
class LiveApi:
    """A live REST API as listed by get_rest_apis: enough to tell whose it is."""

    id: str
    name: str
    tags: Mapping[str, str]


class UnmanagedApiError(ApigwctlError):
    """An API with the file's name exists, and apigwctl did not create it."""


def ownership_tags(name: str) -> dict[str, str]:
    """The tags marking an API as created by apigwctl for the deployment file's ``name``."""
    return {MANAGED_BY_KEY: MANAGED_BY, API_KEY: name}


def is_managed(api: LiveApi, name: str) -> bool:
    return (api.tags.get(MANAGED_BY_KEY) == MANAGED_BY
            and api.tags.get(API_KEY, api.name) == name)


def choose_managed(name: str, candidates: Sequence[LiveApi], region: str) -> LiveApi | None:
    """The API apigwctl manages under ``name``; None when there is no API of that name.

    Raises when only unmanaged APIs carry the name (apigwctl would take over someone else's
    API) or when several managed ones do (it cannot tell which one the file means).
    """
    same = [api for api in candidates if api.name == name]
    managed = [api for api in same if is_managed(api, name)]
    if len(managed) == 1:
        return managed[0]
    if len(managed) > 1:
        ids = ", ".join(api.id for api in managed)
        raise ApigwctlError(
            f"{len(managed)} REST APIs named {name!r} are tagged as managed by apigwctl "
            f"({ids})", hint="delete the ones you do not want (or remove their "
            f"{MANAGED_BY_KEY} tag) so that one is left")
    if not same:
        return None
    other = same[0]
    arn = f"arn:aws:apigateway:{region}::/restapis/{other.id}"
    raise UnmanagedApiError(
        f"a REST API named {name!r} already exists ({other.id}) and apigwctl does not "
        f"manage it: it has no {MANAGED_BY_KEY} tag", where=f"api:{name}",
        hint=f"choose another api.name, or take the API over on purpose: `apigwctl adopt` "
        f"(it only tags it; or by hand: aws apigateway tag-resource --resource-arn {arn} "
        f"--tags {MANAGED_BY_KEY}={MANAGED_BY},{API_KEY}={name}), then review `apigwctl plan`")

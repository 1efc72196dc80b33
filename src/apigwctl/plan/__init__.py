"""Plans: inert ops (``ops``) and the planner turning a Changeset into ordered ops."""

from apigwctl.plan.ops import (
    CreateDeployment,
    CreateRestApi,
    CreateStage,
    Op,
    PutRestApi,
    TagResource,
    UpdateStage,
)
from apigwctl.plan.planner import Plan, make_plan

__all__ = [
    "CreateDeployment",
    "CreateRestApi",
    "CreateStage",
    "Op",
    "Plan",
    "PutRestApi",
    "TagResource",
    "UpdateStage",
    "make_plan",
]

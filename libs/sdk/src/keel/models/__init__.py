"""What the gateway answers, as typed objects (fields as in its OpenAPI schema)."""

from keel.models.access import (
    ApiKey,
    DeviceCode,
    Role,
    ServiceAccount,
    Team,
    Tokens,
    Workspace,
)
from keel.models.base import Page, Resource
from keel.models.metadata import Pipeline, Run, RunDetail, Stack, StackComponent, Step
from keel.models.registry import Model, ModelVersion, StageChange
from keel.models.secrets import RegisteredRelay, Relay, RelayInstance, Secret, SecretValues

__all__ = [
    "ApiKey",
    "DeviceCode",
    "Model",
    "ModelVersion",
    "Page",
    "Pipeline",
    "RegisteredRelay",
    "Relay",
    "RelayInstance",
    "Resource",
    "Role",
    "Run",
    "RunDetail",
    "Secret",
    "SecretValues",
    "ServiceAccount",
    "Stack",
    "StackComponent",
    "StageChange",
    "Step",
    "Team",
    "Tokens",
    "Workspace",
]

"""What the gateway answers, as typed objects (fields as in its OpenAPI schema)."""

from keel.models.access import (
    ApiKey,
    DeviceCode,
    Role,
    ServiceAccount,
    SsoConfig,
    Team,
    Tokens,
    Workspace,
)
from keel.models.artifacts import ArtifactOutput, ArtifactVersion, Lineage, LineageStep
from keel.models.base import Page, Resource
from keel.models.metadata import Pipeline, Run, RunDetail, Stack, StackComponent, Step
from keel.models.registry import Model, ModelVersion, StageChange
from keel.models.secrets import (
    RegisteredRelay,
    Relay,
    RelayInstance,
    Secret,
    SecretsBackend,
    SecretValues,
    VaultLocation,
)

__all__ = [
    "ApiKey",
    "ArtifactOutput",
    "ArtifactVersion",
    "DeviceCode",
    "Lineage",
    "LineageStep",
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
    "SecretsBackend",
    "ServiceAccount",
    "SsoConfig",
    "Stack",
    "StackComponent",
    "StageChange",
    "Step",
    "Team",
    "Tokens",
    "VaultLocation",
    "Workspace",
]

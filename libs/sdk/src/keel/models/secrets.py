"""Secrets (names, keys and versions; never values) and relays."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from keel.models.base import Resource


class Secret(Resource):
    id: uuid.UUID
    name: str
    description: str
    scope: str
    keys: list[str]
    version: int
    backend: str
    owner: str
    shared_with_users: list[uuid.UUID]
    shared_with_teams: list[uuid.UUID]
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class VaultLocation(Resource):
    mount: str = "secret"
    path_prefix: str | None = None
    namespace: str | None = None


class SecretsBackend(Resource):
    """Where a workspace keeps its secret values: `sql` (the control plane, encrypted),
    `vault` (the deployment's Vault) or `relay` (the customer's Vault, via its relay)."""

    kind: str
    vault: VaultLocation | None = None
    relay_id: uuid.UUID | None = None


class SecretValues(Resource):
    secret_id: uuid.UUID
    version: int
    # Kept out of repr() so logging the object does not print the values.
    values: dict[str, str] = Field(repr=False)


class RelayInstance(Resource):
    instance: str
    last_heartbeat_at: datetime
    online: bool
    partitions: list[int]
    vault: str
    version: str


class Relay(Resource):
    id: uuid.UUID
    name: str
    status: str
    enrolled_at: datetime | None
    last_heartbeat_at: datetime | None
    instances: list[RelayInstance]
    created_at: datetime


class RegisteredRelay(Resource):
    relay: Relay
    enrollment: str = Field(repr=False, description="Shown once: KEEL_RELAY_ENROLLMENT.")

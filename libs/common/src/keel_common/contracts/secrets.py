"""Messages of the secrets service: secrets, their values, backends and relays.

Values never travel in the clear. The gateway seals values it writes to the workspace's
value key (the secrets service's own key, or the enrolled relay's key in Scenario 2), and
sends a one-use `reply_key` with every request whose answer carries values.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from keel_common.contracts.base import MAX_DB_INT, Contract
from keel_common.crypto.sealed import Sealed

# Segments of letters, digits, `_`, `-` and `.` joined by `/`; no segment starts with a dot,
# so `..` and hidden names cannot appear, and a name maps safely onto a Vault path.
SECRET_NAME = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$"  # noqa: S105 (a pattern)
SecretName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=SECRET_NAME)]
# A key inside a secret (`password`, `AWS_ACCESS_KEY_ID`...).
VALUE_KEY = r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$"
ValueKey = Annotated[str, StringConstraints(pattern=VALUE_KEY)]

Scope = Literal["workspace", "private"]
BackendKind = Literal["sql", "vault", "relay"]
RelayStatus = Literal["pending", "online", "offline"]
VaultHealth = Literal["ok", "sealed", "unreachable", "denied"]

# What a sealed value is for; bound into the encryption so one cannot pose as another.
VALUES_CONTEXT = "keel.secrets.values"


def values_context(workspace: uuid.UUID) -> str:
    """Values written into `workspace`: a blob sealed for one workspace opens in no other."""
    return f"{VALUES_CONTEXT}:{workspace}"


class GetValueKey(Contract):
    """The key to seal values to before writing them into the envelope's workspace."""

    TYPE: ClassVar[str] = "keel.secrets.get_value_key"


class ValueKeyView(Contract):
    TYPE: ClassVar[str] = "keel.secrets.value_key"
    kid: str
    public_key: str


class Caller(BaseModel):
    """Who asks, as far as secret visibility goes: the gateway resolves the teams."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    teams: list[uuid.UUID] = Field(default_factory=list, max_length=1000)


class CreateSecret(Contract):
    TYPE: ClassVar[str] = "keel.secrets.create"
    name: SecretName
    description: str = Field(default="", max_length=500)
    scope: Scope = "workspace"
    values: Sealed
    keys: list[ValueKey] = Field(min_length=1, max_length=100)


class SecretView(Contract):
    TYPE: ClassVar[str] = "keel.secrets.secret"
    id: uuid.UUID
    name: str
    description: str
    scope: Scope
    keys: list[str]
    version: int
    backend: BackendKind
    owner: str
    shared_with_users: list[uuid.UUID]
    shared_with_teams: list[uuid.UUID]
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class ListSecrets(Contract):
    TYPE: ClassVar[str] = "keel.secrets.list"
    caller: Caller = Field(default_factory=Caller)
    prefix: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=200)
    # Opaque to callers: the last name of the previous page.
    cursor: str | None = Field(default=None, max_length=400)


class SecretList(Contract):
    TYPE: ClassVar[str] = "keel.secrets.secret_list"
    items: list[SecretView]
    next_cursor: str | None = None


class GetSecret(Contract):
    TYPE: ClassVar[str] = "keel.secrets.get"
    caller: Caller = Field(default_factory=Caller)
    secret_id: uuid.UUID | None = None
    name: SecretName | None = None


class RevealSecret(Contract):
    """Values of one version (the latest by default), sealed to `reply_key`."""

    TYPE: ClassVar[str] = "keel.secrets.reveal"
    caller: Caller = Field(default_factory=Caller)
    secret_id: uuid.UUID
    version: int | None = Field(default=None, ge=1, le=MAX_DB_INT)
    reply_key: str = Field(max_length=100)


class SecretValues(Contract):
    TYPE: ClassVar[str] = "keel.secrets.values"
    secret_id: uuid.UUID
    version: int
    values: Sealed


class UpdateSecret(Contract):
    """New values make a new version; `expected_version` turns a lost update into a 409."""

    TYPE: ClassVar[str] = "keel.secrets.update"
    caller: Caller = Field(default_factory=Caller)
    secret_id: uuid.UUID
    values: Sealed | None = None
    keys: list[ValueKey] | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    expected_version: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


class DeleteSecret(Contract):
    TYPE: ClassVar[str] = "keel.secrets.delete"
    caller: Caller = Field(default_factory=Caller)
    secret_id: uuid.UUID


class SecretDeleted(Contract):
    TYPE: ClassVar[str] = "keel.secrets.deleted"
    secret_id: uuid.UUID


class ShareSecret(Contract):
    """Who else may see a private secret; replaces the previous list."""

    TYPE: ClassVar[str] = "keel.secrets.share"
    caller: Caller = Field(default_factory=Caller)
    secret_id: uuid.UUID
    users: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    teams: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class VaultLocation(BaseModel):
    """Where a workspace's secrets live in the deployment's Vault (`vault` backend)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    mount: str = Field(default="secret", pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_./-]{0,99}$")
    # Defaults to `keel/<workspace id>`.
    path_prefix: str | None = Field(default=None, pattern=SECRET_NAME, max_length=200)
    namespace: str | None = Field(default=None, pattern=SECRET_NAME, max_length=200)


class GetBackend(Contract):
    TYPE: ClassVar[str] = "keel.secrets.get_backend"


class SetBackend(Contract):
    TYPE: ClassVar[str] = "keel.secrets.set_backend"
    kind: BackendKind
    vault: VaultLocation | None = None
    relay_id: uuid.UUID | None = None


class BackendView(Contract):
    TYPE: ClassVar[str] = "keel.secrets.backend"
    kind: BackendKind
    vault: VaultLocation | None = None
    relay_id: uuid.UUID | None = None


class RegisterRelay(Contract):
    TYPE: ClassVar[str] = "keel.secrets.register_relay"
    name: str = Field(min_length=1, max_length=100)
    reply_key: str = Field(max_length=100)


class RelayInstanceView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    instance: str
    last_heartbeat_at: datetime
    online: bool
    # The partitions of the relay's request topic this replica consumes.
    partitions: list[int]
    vault: VaultHealth
    version: str


class RelayView(Contract):
    TYPE: ClassVar[str] = "keel.secrets.relay"
    id: uuid.UUID
    name: str
    status: RelayStatus
    enrolled_at: datetime | None
    last_heartbeat_at: datetime | None
    instances: list[RelayInstanceView]
    created_at: datetime


class RelayRegistered(Contract):
    """The enrollment bundle (one-time token and the control plane's verification key),
    sealed to the requester: it is shown once, to the admin who registered the relay."""

    TYPE: ClassVar[str] = "keel.secrets.relay_registered"
    relay: RelayView
    enrollment: Sealed


class ListRelays(Contract):
    TYPE: ClassVar[str] = "keel.secrets.list_relays"


class RelayList(Contract):
    TYPE: ClassVar[str] = "keel.secrets.relay_list"
    items: list[RelayView]


class GetRelay(Contract):
    TYPE: ClassVar[str] = "keel.secrets.get_relay"
    relay_id: uuid.UUID

"""Messages of the auth service: login, tokens, keys, workspaces, authorization."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints

from keel_common.contracts.base import Contract
from keel_common.crypto.sealed import Sealed

# Slugs name workspaces in URLs; a conservative alphabet keeps them safe everywhere.
SLUG = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"

# An address, compared case-insensitively. Deliberately not RFC-strict or DNS-aware:
# air-gapped installs use internal domains (`.local`, `.internal`) that public-email
# validators refuse.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=320,
        pattern=r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$",
    ),
]


class GetSealingKey(Contract):
    """The auth service's public key for values sealed to it (passwords, refresh tokens)."""

    TYPE: ClassVar[str] = "keel.auth.get_sealing_key"


class SealingKey(Contract):
    TYPE: ClassVar[str] = "keel.auth.sealing_key"
    kid: str
    public_key: str


class PasswordLogin(Contract):
    """Credentials never cross Kafka in the clear: the password is sealed to the auth
    service, and the tokens come back sealed to `reply_key`, the gateway's one-use key."""

    TYPE: ClassVar[str] = "keel.auth.password_login"
    email: Email
    password: Sealed
    reply_key: str = Field(max_length=100)
    source_ip: str | None = Field(default=None, max_length=64)


class RefreshTokens(Contract):
    TYPE: ClassVar[str] = "keel.auth.refresh"
    refresh_token: Sealed
    reply_key: str = Field(max_length=100)
    source_ip: str | None = Field(default=None, max_length=64)


class TokenPair(Contract):
    TYPE: ClassVar[str] = "keel.auth.token_pair"
    access_token: Sealed
    refresh_token: Sealed
    token_type: str = "Bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


class GetJwks(Contract):
    TYPE: ClassVar[str] = "keel.auth.get_jwks"


class Jwks(Contract):
    TYPE: ClassVar[str] = "keel.auth.jwks"
    keys: list[dict[str, Any]]


class CreateWorkspace(Contract):
    TYPE: ClassVar[str] = "keel.auth.create_workspace"
    name: str = Field(min_length=1, max_length=100)
    slug: str = Field(pattern=SLUG)


class ListWorkspaces(Contract):
    TYPE: ClassVar[str] = "keel.auth.list_workspaces"


class WorkspaceView(Contract):
    TYPE: ClassVar[str] = "keel.auth.workspace"
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    slug: str
    created_at: datetime


class WorkspaceList(Contract):
    TYPE: ClassVar[str] = "keel.auth.workspace_list"
    items: list[WorkspaceView]


class GetPermissions(Contract):
    """Everything the envelope's actor may do in `workspace` (or the organization)."""

    TYPE: ClassVar[str] = "keel.auth.get_permissions"
    workspace: uuid.UUID | None = None


class PermissionSet(Contract):
    TYPE: ClassVar[str] = "keel.auth.permission_set"
    permissions: list[str]
    # The teams the actor belongs to: what private secrets shared with a team need.
    teams: list[uuid.UUID] = Field(default_factory=list)


# A built-in workspace role (viewer, contributor, developer, admin) or a custom one.
RoleName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
# What a new service account may be given: the built-in roles.
WorkspaceRole = Literal["viewer", "contributor", "developer", "admin"]


class CreateServiceAccount(Contract):
    TYPE: ClassVar[str] = "keel.auth.create_service_account"
    workspace: uuid.UUID
    name: str = Field(min_length=1, max_length=100)
    role: WorkspaceRole = "viewer"


class ListServiceAccounts(Contract):
    TYPE: ClassVar[str] = "keel.auth.list_service_accounts"
    workspace: uuid.UUID


class ServiceAccountView(Contract):
    TYPE: ClassVar[str] = "keel.auth.service_account"
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    active: bool
    created_at: datetime


class ServiceAccountList(Contract):
    TYPE: ClassVar[str] = "keel.auth.service_account_list"
    items: list[ServiceAccountView]


class CreateApiKey(Contract):
    TYPE: ClassVar[str] = "keel.auth.create_api_key"
    workspace: uuid.UUID
    service_account_id: uuid.UUID
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    reply_key: str = Field(max_length=100)


class ApiKeyCreated(Contract):
    """The key itself is shown once, sealed to the requester; Keel keeps only its hash."""

    TYPE: ClassVar[str] = "keel.auth.api_key_created"
    id: uuid.UUID
    name: str
    key: Sealed
    expires_at: datetime | None


class RevokeApiKey(Contract):
    TYPE: ClassVar[str] = "keel.auth.revoke_api_key"
    workspace: uuid.UUID
    service_account_id: uuid.UUID
    key_id: uuid.UUID


class ApiKeyRevoked(Contract):
    """Also a domain event on `keel.events.auth`: gateways drop what they cached."""

    TYPE: ClassVar[str] = "keel.auth.api_key_revoked"
    key_id: uuid.UUID
    service_account_id: uuid.UUID


class VerifyApiKey(Contract):
    TYPE: ClassVar[str] = "keel.auth.verify_api_key"
    key: Sealed


class ApiKeyIdentity(Contract):
    TYPE: ClassVar[str] = "keel.auth.api_key_identity"
    subject: str
    organization_id: uuid.UUID
    workspace_id: uuid.UUID
    key_id: uuid.UUID


class DeactivateUser(Contract):
    TYPE: ClassVar[str] = "keel.auth.deactivate_user"
    user_id: uuid.UUID


class UserDeactivated(Contract):
    """Also a domain event on `keel.events.auth`: gateways refuse the user's tokens at once."""

    TYPE: ClassVar[str] = "keel.auth.user_deactivated"
    user_id: uuid.UUID


class SetWorkspaceRole(Contract):
    """Give a user or a team a role in a workspace, or take it away (`role=None`)."""

    TYPE: ClassVar[str] = "keel.auth.set_workspace_role"
    workspace: uuid.UUID
    # `user:<id>` or `team:<id>`
    subject: str = Field(pattern=r"^(user|team):[0-9a-f-]{36}$")
    role: RoleName | None


class RoleBindingChanged(Contract):
    """Also a domain event on `keel.events.auth`: gateways drop cached permissions."""

    TYPE: ClassVar[str] = "keel.auth.role_binding_changed"
    subject: str
    workspace: uuid.UUID | None


class CreateTeam(Contract):
    TYPE: ClassVar[str] = "keel.auth.create_team"
    name: str = Field(min_length=1, max_length=100)


class ListTeams(Contract):
    TYPE: ClassVar[str] = "keel.auth.list_teams"


class TeamView(Contract):
    TYPE: ClassVar[str] = "keel.auth.team"
    id: uuid.UUID
    name: str
    members: list[uuid.UUID]


class TeamList(Contract):
    TYPE: ClassVar[str] = "keel.auth.team_list"
    items: list[TeamView]


class SetTeamMember(Contract):
    TYPE: ClassVar[str] = "keel.auth.set_team_member"
    team_id: uuid.UUID
    user_id: uuid.UUID
    member: bool


class CreateRole(Contract):
    """A custom workspace role: a name and the `<resource>:<action>` permissions it grants."""

    TYPE: ClassVar[str] = "keel.auth.create_role"
    name: RoleName
    permissions: list[str] = Field(min_length=1, max_length=200)


class ListRoles(Contract):
    TYPE: ClassVar[str] = "keel.auth.list_roles"


class RoleView(Contract):
    TYPE: ClassVar[str] = "keel.auth.role"
    name: str
    permissions: list[str]
    builtin: bool


class RoleList(Contract):
    TYPE: ClassVar[str] = "keel.auth.role_list"
    items: list[RoleView]

"""Workspaces, teams, roles, service accounts and their API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from keel.models.base import Resource


class Workspace(Resource):
    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    slug: str
    created_at: datetime


class Team(Resource):
    id: uuid.UUID
    name: str
    members: list[uuid.UUID]


class SsoConfig(Resource):
    """The organization's OpenID Connect provider, as configured (never the client secret)."""

    organization_id: uuid.UUID
    issuer: str
    client_id: str
    allowed_domains: list[str]
    enabled: bool
    has_client_secret: bool
    group_claim: str | None
    # IdP group -> the Keel team its members join on sign-in.
    group_teams: dict[str, uuid.UUID]


class Role(Resource):
    name: str
    permissions: list[str]
    builtin: bool


class ServiceAccount(Resource):
    id: uuid.UUID
    workspace_id: uuid.UUID
    name: str
    active: bool
    created_at: datetime


class ApiKey(Resource):
    id: uuid.UUID
    name: str
    key: str = Field(repr=False, description="Shown once; Keel keeps only its hash.")
    expires_at: datetime | None


class Tokens(Resource):
    """A signed-in session: a short-lived access token and a one-use refresh token."""

    access_token: str = Field(repr=False)
    refresh_token: str = Field(repr=False)
    expires_in: int


class DeviceCode(Resource):
    device_code: str = Field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int

"""Helpers for the auth journeys: users made through the auth service's own code."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx

from keel_auth.identity import repository as identity
from keel_auth.rbac import repository as bindings
from keel_auth.sessions.passwords import hash_password
from keel_common.db.database import Database
from keel_devstack.stack import Infrastructure
from tests.e2e.conftest import RunningServices


async def add_user(
    infra: Infrastructure,
    email: str,
    password: str,
    *,
    org_role: str | None = None,
    workspace_roles: dict[uuid.UUID, str] | None = None,
) -> uuid.UUID:
    """A user in the bootstrap admin's organization, with the given role bindings."""
    db = Database(infra.postgres.url("keel_auth"), pool_size=1)
    try:
        async with db.transaction() as session:
            admin = await identity.user_by_email(session, infra.credentials.admin_email)
            assert admin is not None
            user = await identity.add_user(
                session, admin.organization_id, email, await hash_password(password)
            )
            subject = f"user:{user.id}"
            if org_role:
                await bindings.bind(session, subject, org_role, admin.organization_id)
            for workspace, role in (workspace_roles or {}).items():
                await bindings.bind(session, subject, role, admin.organization_id, workspace)
            return user.id
    finally:
        await db.close()


def login(base: str, email: str, password: str) -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


async def status_once_refused(url: str, tokens: dict[str, str], seconds: float = 5.0) -> int:
    """GET `url` with `tokens` until it answers 401 or `seconds` pass; the last status (a
    revocation reaches the gateways as an event, so it takes effect within moments)."""
    deadline = time.monotonic() + seconds
    status = httpx.get(url, headers=bearer(tokens)).status_code
    while status != 401 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        status = httpx.get(url, headers=bearer(tokens)).status_code
    return status


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def admin_tokens(services: RunningServices) -> dict[str, str]:
    """Tokens of the bootstrap administrator."""
    credentials = services.infra.credentials
    return login(services.gateway_url, credentials.admin_email, credentials.admin_password)


def admin(services: RunningServices) -> dict[str, str]:
    """Authorization headers of the bootstrap administrator."""
    return bearer(admin_tokens(services))


def new_workspace(services: RunningServices, headers: dict[str, str]) -> str:
    """A fresh workspace, made through the API; returns its id."""
    slug = f"ws-{uuid.uuid4().hex[:8]}"
    response = httpx.post(
        f"{services.gateway_url}/api/v1/workspaces",
        json={"name": slug, "slug": slug},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    workspace_id: str = response.json()["id"]
    return workspace_id

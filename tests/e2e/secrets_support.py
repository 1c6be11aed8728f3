"""Helpers for the secrets journeys: the API as a user drives it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e.auth_support import add_user, bearer, login
from tests.e2e.conftest import RunningServices

PASSWORD = "correct horse battery staple"


async def member(services: RunningServices, workspace: str, role: str) -> dict[str, str]:
    """A new user with `role` in `workspace`; their bearer header."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.com"
    await add_user(services.infra, email, PASSWORD, workspace_roles={uuid.UUID(workspace): role})
    return bearer(login(services.gateway_url, email, PASSWORD))


def secrets_url(services: RunningServices, workspace: str) -> str:
    return f"{services.gateway_url}/api/v1/workspaces/{workspace}/secrets"


def create_secret(
    services: RunningServices,
    workspace: str,
    headers: dict[str, str],
    values: dict[str, str],
    *,
    name: str | None = None,
    scope: str = "workspace",
) -> dict[str, Any]:
    body = {"name": name or f"app/{uuid.uuid4().hex[:8]}", "values": values, "scope": scope}
    response = httpx.post(secrets_url(services, workspace), json=body, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def read_values(
    services: RunningServices,
    workspace: str,
    headers: dict[str, str],
    secret_id: str,
    version: int | None = None,
) -> httpx.Response:
    params = {"version": version} if version else {}
    return httpx.get(
        f"{secrets_url(services, workspace)}/{secret_id}/values",
        params=params,
        headers=headers,
        timeout=10,
    )


def set_backend(
    services: RunningServices, workspace: str, headers: dict[str, str], body: dict[str, Any]
) -> None:
    url = f"{services.gateway_url}/api/v1/workspaces/{workspace}/secrets-backend"
    response = httpx.put(url, json=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text

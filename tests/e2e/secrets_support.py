"""Helpers for the secrets journeys: the API as a user drives it, and scans that look for
a value where it must not be."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import text

from keel_common.db.database import Database
from tests.e2e.conftest import RunningServices
from tests.support.kafka import encoded_forms


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


async def assert_absent_from_database(url: str, secrets: list[str]) -> int:
    """Read every row of every table of the database at `url` as text and fail if one
    holds a secret, raw or base64-encoded. Returns how many rows it read."""
    forms = [form for s in secrets for form in encoded_forms(s)]
    db = Database(url, pool_size=1)
    try:
        async with db.engine.connect() as connection:
            tables = (
                await connection.execute(
                    text(
                        "SELECT schemaname, tablename FROM pg_tables "
                        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                    )
                )
            ).all()
            rows = 0
            for schema, table in tables:
                quoted = f'"{schema}"."{table}"'
                for (row,) in await connection.execute(text(f"SELECT t::text FROM {quoted} t")):
                    rows += 1
                    # bytea renders as \\x<hex>: check the hex form as well.
                    found = row.encode()
                    leaked = [f for f in forms if f in found or f.hex().encode() in found]
                    assert not leaked, f"a secret value was found in table {quoted}"
            return rows
    finally:
        await db.close()

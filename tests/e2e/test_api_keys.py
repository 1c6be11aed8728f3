"""Service accounts and API keys through the gateway: shown once, scoped, revocable."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from keel_common.settings import BusSettings
from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices
from tests.support.kafka import assert_absent_from_kafka

pytestmark = pytest.mark.broker


def new_key(
    services: RunningServices, headers: dict[str, str], workspace_id: str, role: str
) -> tuple[str, dict[str, str]]:
    base = f"{services.gateway_url}/api/v1/workspaces/{workspace_id}/service-accounts"
    account = httpx.post(base, json={"name": f"ci-{role}", "role": role}, headers=headers)
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    key = httpx.post(f"{base}/{account_id}/api-keys", json={"name": "ci"}, headers=headers)
    assert key.status_code == 201, key.text
    created: dict[str, str] = key.json()
    return account_id, created


async def test_api_key_lifecycle(services: RunningServices, bus_settings: BusSettings) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    account_id, created = new_key(services, headers, ws, "developer")
    key = created["key"]
    assert key.startswith("keel_ak_")
    as_key = {"Authorization": f"Bearer {key}"}

    # The key works as a bearer token, and sees only its own workspace.
    listed = httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=as_key)
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["items"]] == [ws]
    accounts = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces/{ws}/service-accounts", headers=as_key
    )
    assert accounts.status_code == 200
    assert account_id in {a["id"] for a in accounts.json()["items"]}
    # The key itself is never listed again.
    assert key not in accounts.text

    # Another workspace is out of reach.
    other = new_workspace(services, headers)
    outside = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces/{other}/service-accounts", headers=as_key
    )
    assert outside.status_code == 403

    # Rotation with overlap: a second key works before the first is revoked.
    base = f"{services.gateway_url}/api/v1/workspaces/{ws}/service-accounts/{account_id}"
    second = httpx.post(f"{base}/api-keys", json={"name": "ci-next"}, headers=headers).json()
    as_second = {"Authorization": f"Bearer {second['key']}"}
    assert httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=as_second).is_success

    # Revoked: refused within seconds, not at some expiry.
    revoke = httpx.delete(
        f"{services.gateway_url}/api/v1/workspaces/{ws}/service-accounts/{account_id}"
        f"/api-keys/{created['id']}",
        headers=headers,
    )
    assert revoke.status_code == 204
    deadline = time.monotonic() + 5
    status = 200
    while time.monotonic() < deadline and status != 401:
        status = httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=as_key).status_code
        await asyncio.sleep(0.1)
    assert status == 401
    assert httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=as_second).is_success

    assert await assert_absent_from_kafka(bus_settings, [key, second["key"]]) > 0


def test_a_viewer_key_cannot_create_service_accounts(services: RunningServices) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    _, created = new_key(services, headers, ws, "viewer")
    response = httpx.post(
        f"{services.gateway_url}/api/v1/workspaces/{ws}/service-accounts",
        json={"name": "escalate", "role": "admin"},
        headers={"Authorization": f"Bearer {created['key']}"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "key",
    ["keel_ak_not-a-real-key", f"keel_ak_{uuid.uuid4().hex}_forged", "keel_ak_"],
)
def test_forged_keys_are_401(services: RunningServices, key: str) -> None:
    response = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 401


def test_unknown_role_is_a_422(services: RunningServices) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    response = httpx.post(
        f"{services.gateway_url}/api/v1/workspaces/{ws}/service-accounts",
        json={"name": "x", "role": "superuser"},
        headers=headers,
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["role"]

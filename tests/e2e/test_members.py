"""Workspace roles and deactivation take effect across the system within seconds."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from jose import jwt

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.auth import GetPermissions, PermissionSet
from keel_common.settings import BusSettings
from tests.e2e.auth_support import (
    add_user,
    admin,
    bearer,
    login,
    new_workspace,
    status_once_refused,
)
from tests.e2e.conftest import RunningServices
from tests.support.kafka import running_broker

pytestmark = pytest.mark.broker


async def test_granting_and_removing_a_workspace_role(services: RunningServices) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    email = f"member-{uuid.uuid4().hex[:6]}@keel.local"
    user_id = await add_user(services.infra, email, "member-pass-1", org_role="member")
    user = bearer(login(services.gateway_url, email, "member-pass-1"))
    listing = f"{services.gateway_url}/api/v1/workspaces"
    member = f"{services.gateway_url}/api/v1/workspaces/{ws}/members/{user_id}"

    assert httpx.get(listing, headers=user).json()["items"] == []
    assert httpx.put(member, json={"role": "viewer"}, headers=headers).status_code == 204
    assert [w["id"] for w in httpx.get(listing, headers=user).json()["items"]] == [ws]
    # A viewer may not hand out roles.
    assert httpx.put(member, json={"role": "admin"}, headers=user).status_code == 403
    assert httpx.delete(member, headers=headers).status_code == 204
    assert httpx.get(listing, headers=user).json()["items"] == []


async def test_deactivation_refuses_the_users_tokens_within_seconds(
    services: RunningServices,
) -> None:
    headers = admin(services)
    email = f"leaver-{uuid.uuid4().hex[:6]}@keel.local"
    user_id = await add_user(services.infra, email, "leaver-pass-1", org_role="viewer")
    tokens = login(services.gateway_url, email, "leaver-pass-1")
    listing = f"{services.gateway_url}/api/v1/workspaces"
    assert httpx.get(listing, headers=bearer(tokens)).status_code == 200

    deactivate = httpx.post(
        f"{services.gateway_url}/api/v1/users/{user_id}/deactivate", headers=headers
    )
    assert deactivate.status_code == 204
    assert await status_once_refused(listing, tokens) == 401
    # The access token is still unexpired; the user is refused anyway.
    assert jwt.get_unverified_claims(tokens["access_token"])["exp"] > time.time()
    refresh = httpx.post(
        f"{services.gateway_url}/api/v1/auth/refresh",
        json={"refresh_token": tokens["refresh_token"]},
    )
    assert refresh.status_code == 401
    again = httpx.post(
        f"{services.gateway_url}/api/v1/auth/login",
        json={"email": email, "password": "leaver-pass-1"},
    )
    assert again.status_code == 401


def test_an_admin_cannot_deactivate_themselves(services: RunningServices) -> None:
    headers = admin(services)
    me = jwt.get_unverified_claims(headers["Authorization"].split()[1])["sub"].split(":")[1]
    response = httpx.post(f"{services.gateway_url}/api/v1/users/{me}/deactivate", headers=headers)
    assert response.status_code == 422


async def test_a_team_role_reaches_every_member_of_the_team(services: RunningServices) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    email = f"teammate-{uuid.uuid4().hex[:6]}@keel.local"
    user_id = await add_user(services.infra, email, "team-pass-1", org_role="member")
    user = bearer(login(services.gateway_url, email, "team-pass-1"))
    base = services.gateway_url

    team = httpx.post(f"{base}/api/v1/teams", json={"name": f"ml-{ws[:6]}"}, headers=headers)
    assert team.status_code == 201, team.text
    team_id = team.json()["id"]
    bound = httpx.put(
        f"{base}/api/v1/workspaces/{ws}/teams/{team_id}", json={"role": "viewer"}, headers=headers
    )
    assert bound.status_code == 204
    assert httpx.get(f"{base}/api/v1/workspaces", headers=user).json()["items"] == []

    added = httpx.put(f"{base}/api/v1/teams/{team_id}/members/{user_id}", headers=headers)
    assert added.status_code == 200
    assert added.json()["members"] == [str(user_id)]
    seen = [w["id"] for w in httpx.get(f"{base}/api/v1/workspaces", headers=user).json()["items"]]
    assert seen == [ws]

    httpx.delete(f"{base}/api/v1/teams/{team_id}/members/{user_id}", headers=headers)
    assert httpx.get(f"{base}/api/v1/workspaces", headers=user).json()["items"] == []


async def test_a_custom_role_grants_exactly_its_permissions(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    name = f"promoter-{uuid.uuid4().hex[:6]}"
    grants = ["model:read", "model_version:read", "model_version:promote"]
    created = httpx.post(
        f"{services.gateway_url}/api/v1/roles",
        json={"name": name, "permissions": grants},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    roles = httpx.get(f"{services.gateway_url}/api/v1/roles", headers=headers).json()["items"]
    assert {"viewer", "developer", name} <= {r["name"] for r in roles}

    user_id = await add_user(services.infra, f"{name}@keel.local", "promo-pass-1")
    bound = httpx.put(
        f"{services.gateway_url}/api/v1/workspaces/{ws}/members/{user_id}",
        json={"role": name},
        headers=headers,
    )
    assert bound.status_code == 204
    async with running_broker(bus_settings, topics=[], setup=lambda _: None) as broker:
        client = RpcClient(broker, bus_settings, caller="tests")
        await client.start()
        try:
            granted = await client.call(
                "auth", GetPermissions(workspace=uuid.UUID(ws)), PermissionSet,
                actor=f"user:{user_id}",
            )  # fmt: skip
        finally:
            await client.stop()
    assert granted.permissions == sorted(grants)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "flyer", "permissions": ["model:fly"]}, 422, "permissions"),
        ({"name": "org-admin", "permissions": ["organization:update"]}, 422, "permissions"),
        ({"name": "viewer", "permissions": ["model:read"]}, 409, None),
        ({"name": "Bad Name", "permissions": ["model:read"]}, 422, "name"),
    ],
)
def test_invalid_custom_roles_are_refused(
    services: RunningServices, body: dict[str, object], status: int, field: str | None
) -> None:
    response = httpx.post(
        f"{services.gateway_url}/api/v1/roles", json=body, headers=admin(services)
    )
    assert response.status_code == status, response.text
    if field:
        assert field in {e["field"] for e in response.json()["errors"]}


async def test_binding_an_unknown_role_is_refused(services: RunningServices) -> None:
    headers = admin(services)
    ws = new_workspace(services, headers)
    user_id = await add_user(services.infra, f"u-{uuid.uuid4().hex[:6]}@keel.local", "pw-123456")
    response = httpx.put(
        f"{services.gateway_url}/api/v1/workspaces/{ws}/members/{user_id}",
        json={"role": "no-such-role"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["field"] == "role"

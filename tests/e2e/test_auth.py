"""Signing in and workspaces through the gateway, on the real stack."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import pytest
from jose import jwt

from keel_common.auth.tokens import TokenVerifier
from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.auth import GetPermissions, PermissionSet
from keel_common.settings import BusSettings
from tests.e2e.auth_support import add_user, admin_tokens, bearer, login
from tests.e2e.conftest import RunningServices
from tests.support.kafka import assert_absent_from_kafka, read_records, running_broker

pytestmark = pytest.mark.broker


async def test_bootstrap_admin_signs_in_and_the_token_verifies_against_the_jwks(
    services: RunningServices,
) -> None:
    tokens = admin_tokens(services)
    assert tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"].startswith("keel_rt_")
    discovery = httpx.get(f"{services.gateway_url}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == services.gateway_url

    async def jwks() -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            response = await client.get(discovery["jwks_uri"])
            body: dict[str, Any] = response.json()
            return body

    verifier = TokenVerifier(issuer=discovery["issuer"], audience="keel-api", fetch_jwks=jwks)
    claims = await verifier.verify(tokens["access_token"])
    assert claims.sub.startswith("user:")


@pytest.mark.parametrize("email", ["admin@keel.local", "nobody@keel.local"])
def test_wrong_credentials_are_a_401_that_does_not_say_which_part_was_wrong(
    services: RunningServices, email: str
) -> None:
    response = httpx.post(
        f"{services.gateway_url}/api/v1/auth/login",
        json={"email": email, "password": "not-the-password"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "the email or password is not correct"


def test_login_input_is_validated_field_by_field(services: RunningServices) -> None:
    response = httpx.post(
        f"{services.gateway_url}/api/v1/auth/login", json={"email": "not-an-email"}
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"email", "password"}


async def test_repeated_failures_lock_the_account(services: RunningServices) -> None:
    email = f"lock-{uuid.uuid4().hex[:6]}@keel.local"
    await add_user(services.infra, email, "right-password-123")
    url = f"{services.gateway_url}/api/v1/auth/login"
    for _ in range(5):
        assert httpx.post(url, json={"email": email, "password": "wrong"}).status_code == 401
    locked = httpx.post(url, json={"email": email, "password": "right-password-123"})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.json()["type"].endswith("/too-many-attempts")


def test_refresh_rotates_and_reuse_revokes_the_whole_family(services: RunningServices) -> None:
    url = f"{services.gateway_url}/api/v1/auth/refresh"
    first = admin_tokens(services)
    second = httpx.post(url, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]

    reused = httpx.post(url, json={"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401
    # The stolen-copy case: the legitimate holder's newer token dies with the family.
    assert httpx.post(url, json={"refresh_token": rotated["refresh_token"]}).status_code == 401


@pytest.mark.parametrize(
    "header",
    [None, "Bearer not-a-jwt", "Basic YWRtaW46YWRtaW4="],
)
def test_requests_without_a_valid_token_are_401(
    services: RunningServices, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    response = httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_workspaces_are_created_by_admins_and_seen_by_their_members(
    services: RunningServices,
) -> None:
    base = f"{services.gateway_url}/api/v1/workspaces"
    admin = bearer(admin_tokens(services))
    slug = f"ws-{uuid.uuid4().hex[:6]}"
    created = httpx.post(base, json={"name": "Research", "slug": slug}, headers=admin)
    assert created.status_code == 201, created.text
    workspace = created.json()
    assert workspace["slug"] == slug

    duplicate = httpx.post(base, json={"name": "Again", "slug": slug}, headers=admin)
    assert duplicate.status_code == 409
    assert duplicate.json()["field"] == "slug"
    invalid = httpx.post(base, json={"name": "x", "slug": "Not A Slug!"}, headers=admin)
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["slug"]

    other = httpx.post(base, json={"name": "Other", "slug": f"o-{slug}"}, headers=admin).json()
    email = f"viewer-{uuid.uuid4().hex[:6]}@keel.local"
    await add_user(
        services.infra, email, "viewer-pass-123", org_role="member",
        workspace_roles={uuid.UUID(workspace["id"]): "viewer"},
    )  # fmt: skip
    viewer = bearer(login(services.gateway_url, email, "viewer-pass-123"))
    seen = {w["slug"] for w in httpx.get(base, headers=viewer).json()["items"]}
    assert seen == {slug}
    assert other["slug"] not in seen
    forbidden = httpx.post(base, json={"name": "Mine", "slug": f"m-{slug}"}, headers=viewer)
    assert forbidden.status_code == 403

    everything = {w["slug"] for w in httpx.get(base, headers=admin).json()["items"]}
    assert {slug, other["slug"]} <= everything


async def test_no_password_or_token_ever_reaches_kafka(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    credentials = services.infra.credentials
    tokens = admin_tokens(services)
    refreshed = httpx.post(
        f"{services.gateway_url}/api/v1/auth/refresh",
        json={"refresh_token": tokens["refresh_token"]},
    ).json()
    needles = [
        credentials.admin_password,
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed["refresh_token"],
    ]
    assert await assert_absent_from_kafka(bus_settings, needles) > 0


async def test_sign_ins_are_audited_without_credentials(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    credentials = services.infra.credentials
    httpx.post(
        f"{services.gateway_url}/api/v1/auth/login",
        json={"email": credentials.admin_email, "password": "audit-wrong-password"},
    )
    admin_tokens(services)

    def outcomes(records: list[Any]) -> set[str]:
        return {json.loads(r.value)["payload"]["outcome"] for r in records}

    records = await read_records(
        bus_settings, "keel.events.audit", until=lambda rs: {"success", "failure"} <= outcomes(rs)
    )
    assert {"success", "failure"} <= outcomes(records)
    assert not any(b"audit-wrong-password" in r.value for r in records)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/auth/login", b'{"email": "a@b.c", "password": ', "<body>"),
        ("/api/v1/auth/login", {"email": "a@b.c", "password": "x" * 5000}, "password"),
        ("/api/v1/auth/login", {"email": "a@b.c" * 100, "password": "x"}, "email"),
        ("/api/v1/workspaces", {"name": "x", "slug": "x'; DROP TABLE users;--"}, "slug"),
        ("/api/v1/workspaces", {"name": "", "slug": "ok"}, "name"),
        ("/api/v1/workspaces", {"name": "x", "slug": "ok", "owner": "me"}, "owner"),
        ("/api/v1/workspaces", [1, 2, 3], "<body>"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    services: RunningServices, path: str, body: object, field: str
) -> None:
    headers = {**bearer(admin_tokens(services)), "content-type": "application/json"}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = httpx.post(f"{services.gateway_url}{path}", content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


def test_sql_metacharacters_in_names_are_just_text(services: RunningServices) -> None:
    admin = bearer(admin_tokens(services))
    name = "Robert'); DROP TABLE workspaces;--"
    slug = f"bobby-{uuid.uuid4().hex[:6]}"
    created = httpx.post(
        f"{services.gateway_url}/api/v1/workspaces",
        json={"name": name, "slug": slug},
        headers=admin,
    )
    assert created.status_code == 201
    listed = httpx.get(f"{services.gateway_url}/api/v1/workspaces", headers=admin).json()["items"]
    assert {w["name"] for w in listed if w["slug"] == slug} == {name}


async def test_a_viewer_of_workspace_a_holds_nothing_in_workspace_b(
    services: RunningServices, bus_settings: BusSettings
) -> None:
    admin = bearer(admin_tokens(services))
    base = f"{services.gateway_url}/api/v1/workspaces"
    tag = uuid.uuid4().hex[:6]
    a = httpx.post(base, json={"name": "A", "slug": f"a-{tag}"}, headers=admin).json()
    b = httpx.post(base, json={"name": "B", "slug": f"b-{tag}"}, headers=admin).json()
    viewer = await add_user(
        services.infra, f"v-{tag}@keel.local", "pw-123456",
        workspace_roles={uuid.UUID(a["id"]): "viewer"},
    )  # fmt: skip
    # Ask the auth service exactly what the gateway asks before serving a request.
    async with running_broker(bus_settings, topics=[], setup=lambda _: None) as broker:
        client = RpcClient(broker, bus_settings, caller="tests")
        await client.start()
        try:
            in_a = await client.call(
                "auth", GetPermissions(workspace=uuid.UUID(a["id"])), PermissionSet,
                actor=f"user:{viewer}",
            )  # fmt: skip
            in_b = await client.call(
                "auth", GetPermissions(workspace=uuid.UUID(b["id"])), PermissionSet,
                actor=f"user:{viewer}",
            )  # fmt: skip
        finally:
            await client.stop()
    assert "pipeline_run:read" in in_a.permissions
    assert "secret:read_secret_value" not in in_a.permissions
    assert in_b.permissions == []


async def test_signing_key_rotation_keeps_old_tokens_valid(services: RunningServices) -> None:
    old = admin_tokens(services)
    old_kid = jwt.get_unverified_header(old["access_token"])["kid"]
    rotated = subprocess.run(
        [sys.executable, "-m", "keel_auth", "rotate-signing-key"],
        env={**os.environ, **services.env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rotated.returncode == 0, rotated.stderr
    new_kid = rotated.stdout.strip().rsplit(" ", 1)[-1]
    assert new_kid != old_kid

    jwks = httpx.get(f"{services.gateway_url}/.well-known/jwks.json").json()
    assert {old_kid, new_kid} <= {k["kid"] for k in jwks["keys"]}
    new = admin_tokens(services)
    assert jwt.get_unverified_header(new["access_token"])["kid"] == new_kid
    listing = f"{services.gateway_url}/api/v1/workspaces"
    assert httpx.get(listing, headers=bearer(old)).status_code == 200
    # The gateway learns the new key on first sight (refetch on unknown kid, rate-limited).
    deadline = time.monotonic() + 10
    status = 0
    while status != 200 and time.monotonic() < deadline:
        status = httpx.get(listing, headers=bearer(new)).status_code
        await asyncio.sleep(0.5)
    assert status == 200

"""The secret lifecycle through the gateway, on the hosted (`sql`) and `vault` backends,
with RBAC: who may read values, private secrets, workspace isolation, bad input."""

from __future__ import annotations

import uuid

import httpx
import hvac
import pytest

from tests.e2e.auth_support import add_user, admin, bearer, login, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.secrets_support import (
    PASSWORD,
    create_secret,
    member,
    read_values,
    secrets_url,
    set_backend,
)
from tests.support.database import assert_absent_from_database


def _workspace_on(services: RunningServices, headers: dict[str, str], backend: str) -> str:
    workspace = new_workspace(services, headers)
    if backend != "sql":
        set_backend(services, workspace, headers, {"kind": backend})
    return workspace


@pytest.mark.parametrize("backend", ["sql", "vault"])
async def test_secret_lifecycle(services: RunningServices, backend: str) -> None:
    headers = admin(services)
    workspace = _workspace_on(services, headers, backend)
    first, second = f"first-{uuid.uuid4().hex}", f"second-{uuid.uuid4().hex}"

    created = create_secret(
        services, workspace, headers, {"password": first, "user": "ml"}, name="db/warehouse"
    )
    assert created["version"] == 1
    assert created["keys"] == ["password", "user"]
    assert created["backend"] == backend
    assert first not in str(created)

    listed = httpx.get(secrets_url(services, workspace), headers=headers).json()
    assert [s["name"] for s in listed["items"]] == ["db/warehouse"]
    assert first not in str(listed)

    revealed = read_values(services, workspace, headers, created["id"])
    assert revealed.status_code == 200
    assert revealed.json()["values"] == {"password": first, "user": "ml"}
    assert revealed.headers["cache-control"] == "no-store"

    updated = httpx.put(
        f"{secrets_url(services, workspace)}/{created['id']}",
        json={"values": {"password": second}, "expected_version": 1},
        headers=headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert updated.json()["keys"] == ["password"]
    assert read_values(services, workspace, headers, created["id"]).json()["values"] == {
        "password": second
    }
    old = read_values(services, workspace, headers, created["id"], version=1).json()
    assert old == {
        "secret_id": created["id"],
        "version": 1,
        "values": {"password": first, "user": "ml"},
    }

    stale = httpx.put(
        f"{secrets_url(services, workspace)}/{created['id']}",
        json={"values": {"password": "x"}, "expected_version": 1},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    if backend == "vault":
        client = hvac.Client(
            url=services.infra.openbao.address, token=services.infra.openbao.root_token()
        )
        stored = client.secrets.kv.v2.read_secret_version(
            f"keel/{workspace}/db/warehouse", mount_point="secret", raise_on_deleted_version=True
        )
        assert stored["data"]["data"] == {"password": second}

    deleted = httpx.delete(f"{secrets_url(services, workspace)}/{created['id']}", headers=headers)
    assert deleted.status_code == 204
    gone = httpx.get(f"{secrets_url(services, workspace)}/{created['id']}", headers=headers)
    assert gone.status_code == 404
    assert read_values(services, workspace, headers, created["id"]).status_code == 404
    # The values never reach the control plane's database in the clear, on either backend.
    await assert_absent_from_database(services.infra.postgres.url("keel_secrets"), [first, second])


@pytest.mark.parametrize("backend", ["sql", "vault"])
async def test_a_viewer_reads_metadata_but_never_values(
    services: RunningServices, backend: str
) -> None:
    headers = admin(services)
    workspace = _workspace_on(services, headers, backend)
    value = f"viewer-must-not-see-{uuid.uuid4().hex}"
    created = create_secret(services, workspace, headers, {"token": value})
    viewer = await member(services, workspace, "viewer")

    listed = httpx.get(secrets_url(services, workspace), headers=viewer)
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["items"]] == [created["id"]]
    refused = read_values(services, workspace, viewer, created["id"])
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "secret:read_secret_value" in refused.json()["detail"]
    assert value not in refused.text
    write = httpx.post(
        secrets_url(services, workspace), headers=viewer, json={"name": "x", "values": {"a": "b"}}
    )
    assert write.status_code == 403


@pytest.mark.parametrize("backend", ["sql", "vault"])
async def test_private_secrets_are_invisible_until_shared(
    services: RunningServices, backend: str
) -> None:
    headers = admin(services)
    workspace = _workspace_on(services, headers, backend)
    owner = await member(services, workspace, "developer")
    colleague = await member(services, workspace, "developer")
    team_member_email = f"team-{uuid.uuid4().hex[:8]}@example.com"
    team_member_id = await add_user(
        services.infra,
        team_member_email,
        PASSWORD,
        workspace_roles={uuid.UUID(workspace): "developer"},
    )
    team_member = bearer(login(services.gateway_url, team_member_email, PASSWORD))

    private = create_secret(services, workspace, owner, {"key": "mine"}, scope="private")
    shared = create_secret(services, workspace, owner, {"key": "ours"})
    url = f"{secrets_url(services, workspace)}/{private['id']}"

    for outsider in (colleague, team_member, headers):
        names = [
            s["id"]
            for s in httpx.get(secrets_url(services, workspace), headers=outsider).json()["items"]
        ]
        assert names == [shared["id"]]
        assert httpx.get(url, headers=outsider).status_code == 404
        assert read_values(services, workspace, outsider, private["id"]).status_code == 404
        assert httpx.delete(url, headers=outsider).status_code == 404

    team = httpx.post(
        f"{services.gateway_url}/api/v1/teams",
        headers=headers,
        json={"name": f"t-{uuid.uuid4().hex[:6]}"},
    ).json()
    added = httpx.put(
        f"{services.gateway_url}/api/v1/teams/{team['id']}/members/{team_member_id}",
        headers=headers,
    )
    assert added.status_code == 200
    not_owner = httpx.put(f"{url}/shares", json={"teams": [team["id"]]}, headers=colleague)
    assert not_owner.status_code == 404  # it cannot even see it
    shared_view = httpx.put(f"{url}/shares", json={"teams": [team["id"]]}, headers=owner)
    assert shared_view.status_code == 200, shared_view.text
    assert shared_view.json()["shared_with_teams"] == [team["id"]]

    opened = read_values(services, workspace, team_member, private["id"])
    assert opened.status_code == 200
    assert opened.json()["values"] == {"key": "mine"}
    assert httpx.get(url, headers=colleague).status_code == 404


@pytest.mark.parametrize("backend", ["sql", "vault"])
async def test_no_secret_crosses_workspaces(services: RunningServices, backend: str) -> None:
    headers = admin(services)
    home = _workspace_on(services, headers, backend)
    other = _workspace_on(services, headers, backend)
    created = create_secret(services, home, headers, {"k": "v"})
    # Even an organization admin, naming the id under another workspace, finds nothing.
    assert (
        httpx.get(f"{secrets_url(services, other)}/{created['id']}", headers=headers).status_code
        == 404
    )
    assert read_values(services, other, headers, created["id"]).status_code == 404
    assert httpx.get(secrets_url(services, other), headers=headers).json()["items"] == []
    developer_elsewhere = await member(services, other, "developer")
    assert httpx.get(secrets_url(services, home), headers=developer_elsewhere).status_code == 403


def test_bad_input_is_refused_with_the_field_named(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    url = secrets_url(services, workspace)

    def problem(body: object) -> tuple[int, list[str]]:
        response = httpx.post(url, json=body, headers=headers)
        assert response.headers["content-type"] == "application/problem+json"
        payload = response.json()
        return response.status_code, [e["field"] for e in payload.get("errors", [])] or [
            payload.get("field")
        ]

    assert problem({"name": "../etc/passwd", "values": {"a": "b"}}) == (422, ["name"])
    assert problem({"name": "ok", "values": {}}) == (422, ["values"])
    assert problem({"name": "ok", "values": {"bad key!": "b"}})[0] == 422
    assert problem({"name": "ok", "values": {"big": "x" * 70_000}}) == (413, ["values"])
    create_secret(services, workspace, headers, {"a": "b"}, name="taken")
    assert problem({"name": "taken", "values": {"a": "b"}}) == (409, ["name"])
    malformed = httpx.get(url, params={"cursor": "%%%"}, headers=headers)
    assert malformed.status_code == 422


def test_listing_pages_by_name_with_a_prefix(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    for name in ["prod/a", "prod/b", "prod/c", "staging/a"]:
        create_secret(services, workspace, headers, {"k": "v"}, name=name)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"prefix": "prod/", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = httpx.get(secrets_url(services, workspace), params=params, headers=headers).json()
        seen += [s["name"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["prod/a", "prod/b", "prod/c"]

"""`Idempotency-Key` on POST, on the real stack: a retried create gets the first answer and
changes nothing, whichever service owns the create."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices

pytestmark = pytest.mark.broker


def _post(
    services: RunningServices, path: str, body: dict[str, Any], headers: dict[str, str], key: str
) -> httpx.Response:
    return httpx.post(
        f"{services.gateway_url}/api/v1{path}",
        json=body,
        headers={**headers, "Idempotency-Key": key},
        timeout=15,
    )


def test_a_retried_create_gets_the_first_answer_on_every_service(
    services: RunningServices,
) -> None:
    headers = admin(services)
    slug = f"idem-{uuid.uuid4().hex[:8]}"
    key = uuid.uuid4().hex
    first = _post(services, "/workspaces", {"name": slug, "slug": slug}, headers, key)
    again = _post(services, "/workspaces", {"name": slug, "slug": slug}, headers, key)
    assert first.status_code == again.status_code == 201, again.text
    assert again.json() == first.json()
    workspace = first.json()["id"]

    # secrets: the sealed values differ on each try; the secret is made once.
    secret = {"name": "db/main", "values": {"PASSWORD": "pw"}}
    made = [_post(services, f"/workspaces/{workspace}/secrets", secret, headers, key)]
    made.append(_post(services, f"/workspaces/{workspace}/secrets", secret, headers, key))
    assert [m.status_code for m in made] == [201, 201], made[1].text
    assert made[0].json()["id"] == made[1].json()["id"] and made[1].json()["version"] == 1

    # metadata: one model version, not two; without a key, the next one.
    versions = f"/workspaces/{workspace}/models/churn/versions"
    numbers = [_post(services, versions, {}, headers, key).json()["number"] for _ in range(2)]
    assert numbers == [1, 1]
    unkeyed = httpx.post(f"{services.gateway_url}/api/v1{versions}", json={}, headers=headers)
    assert unkeyed.json()["number"] == 2


def test_the_same_key_with_another_request_is_refused(services: RunningServices) -> None:
    headers = admin(services)
    key = uuid.uuid4().hex
    name = f"team-{uuid.uuid4().hex[:6]}"
    assert _post(services, "/teams", {"name": name}, headers, key).status_code == 201
    other = _post(services, "/teams", {"name": f"{name}-2"}, headers, key)
    assert other.status_code == 422, other.text
    assert other.json()["type"].endswith("/idempotency-key-reused")
    teams = httpx.get(f"{services.gateway_url}/api/v1/teams", headers=headers).json()["items"]
    assert [t["name"] for t in teams if t["name"].startswith(name)] == [name]


def test_concurrent_duplicates_make_one_and_all_get_it(services: RunningServices) -> None:
    headers = admin(services)
    key = uuid.uuid4().hex
    name = f"team-{uuid.uuid4().hex[:6]}"
    with ThreadPoolExecutor(6) as pool:
        answers = list(
            pool.map(lambda _: _post(services, "/teams", {"name": name}, headers, key), range(6))
        )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    teams = httpx.get(f"{services.gateway_url}/api/v1/teams", headers=headers).json()["items"]
    assert [t["name"] for t in teams].count(name) == 1


def test_a_failed_request_keeps_nothing_and_a_one_time_secret_is_not_shown_twice(
    services: RunningServices,
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    accounts = f"/workspaces/{workspace}/service-accounts"
    key = uuid.uuid4().hex
    refused = _post(services, accounts, {"name": "ci", "role": "no-such-role"}, headers, key)
    assert refused.status_code in (404, 422), refused.text
    # The failure kept nothing, not even the key: the corrected request may reuse it.
    account = _post(services, accounts, {"name": "ci", "role": "viewer"}, headers, key)
    assert account.status_code == 201, account.text

    keys = f"{accounts}/{account.json()['id']}/api-keys"
    first = _post(services, keys, {"name": "pipeline"}, headers, key)
    assert first.status_code == 201 and first.json()["key"].startswith("keel_ak_")
    again = _post(services, keys, {"name": "pipeline"}, headers, key)
    assert again.status_code == 409, again.text
    assert again.json()["type"].endswith("/already-done")
    assert first.json()["key"] not in again.text


def test_a_malformed_key_is_refused_naming_the_header(services: RunningServices) -> None:
    headers = admin(services)
    refused = _post(services, "/teams", {"name": "x"}, headers, "k" * 201)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "header.Idempotency-Key"


def test_the_header_is_documented_on_creates_and_not_on_sign_in(services: RunningServices) -> None:
    paths = httpx.get(f"{services.gateway_url}/openapi.json").json()["paths"]

    def documented(path: str) -> bool:
        return any(
            p["name"] == "Idempotency-Key" for p in paths[path]["post"].get("parameters", [])
        )

    assert documented("/api/v1/workspaces")
    assert documented("/api/v1/workspaces/{workspace_id}/secrets")
    assert not documented("/api/v1/auth/login")
    assert not any(
        p["name"] == "Idempotency-Key"
        for p in paths["/api/v1/workspaces/{workspace_id}/secrets"]["get"].get("parameters", [])
    )

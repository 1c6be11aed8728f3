"""The gateway's edge on the real stack: security headers, compression that never touches
secret values, the body limit, Prometheus metrics and the access log."""

from __future__ import annotations

import httpx

from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.secrets_support import create_secret, read_values, secrets_url

GZIP = {"Accept-Encoding": "gzip"}


def _start_runs(services: RunningServices, workspace: str, headers: dict[str, str], n: int) -> str:
    runs = f"{services.gateway_url}/api/v1/workspaces/{workspace}/runs"
    for i in range(n):
        body = {"pipeline": "edge", "name": f"edge-run-{i:03d}", "parameters": {"i": i}}
        created = httpx.post(runs, json=body, headers=headers, timeout=10)
        assert created.status_code == 201, created.text
    return runs


def test_lists_are_gzipped_secret_values_are_not(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    runs = _start_runs(services, workspace, headers, 20)
    listed = httpx.get(runs, params={"limit": 50}, headers={**headers, **GZIP}, timeout=10)
    assert listed.status_code == 200
    assert listed.headers["content-encoding"] == "gzip"
    assert len(listed.json()["items"]) == 20

    value = "v" * 2000  # large enough that gzip would apply if it were allowed to
    created = create_secret(services, workspace, headers, {"token": value})
    revealed = read_values(services, workspace, {**headers, **GZIP}, created["id"])
    assert revealed.status_code == 200
    assert "content-encoding" not in revealed.headers
    assert revealed.json()["values"] == {"token": value}


def test_responses_carry_security_headers_and_a_request_id(services: RunningServices) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    for response in (
        httpx.get(secrets_url(services, workspace), headers=headers),
        httpx.get(f"{services.gateway_url}/api/v1/nowhere"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-request-id"]


def test_an_oversized_body_is_a_413_problem(services: RunningServices) -> None:
    headers = admin(services)
    body = b'{"name": "' + b"x" * (3 * 1024 * 1024) + b'"}'  # over the 2 MiB default
    response = httpx.post(
        f"{services.gateway_url}/api/v1/workspaces",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "bytes" in response.json()["detail"]


def test_metrics_count_routes_and_the_access_log_names_the_principal(
    services: RunningServices,
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    for _ in range(3):
        assert httpx.get(secrets_url(services, workspace), headers=headers).status_code == 200
    exposed = httpx.get(f"{services.gateway_url}/metrics").text
    route = "/api/v1/workspaces/{workspace_id}/secrets"
    counted = [
        line
        for line in exposed.splitlines()
        if line.startswith("keel_gateway_requests_total")
        and f'route="{route}"' in line
        and 'method="GET"' in line
        and 'status="200"' in line
    ]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 3
    assert workspace not in exposed  # route templates, never ids

    log = services.processes["gateway"].log_path.read_text()
    access = [line for line in log.splitlines() if "keel_gateway.access" in line and route in line]
    assert access and '"principal": "user:' in access[-1]
    assert headers["Authorization"].split()[1] not in log  # never the token

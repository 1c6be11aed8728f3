"""Keel's side: a fresh workspace and what an MLflow user of it sets, URI and token."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from keel_devstack.stack import Stack

# A developer creates experiments and runs; an API key does not expire mid-benchmark as an
# access token (15 minutes) could.
ROLE = "developer"


def _json(response: httpx.Response) -> Any:
    if response.is_error:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text[:500]}"
        )
    return response.json()


def tracking_uri_and_token(stack: Stack) -> tuple[str, str]:
    """MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN for a new workspace: its MLflow path on
    the gateway, and an API key of a service account in it made by the bootstrap admin."""
    credentials = stack.infra.credentials
    slug = f"bench-mlflow-{secrets.token_hex(3)}"
    with httpx.Client(base_url=f"{stack.gateway_url}/api/v1", timeout=30) as http:
        login = {"email": credentials.admin_email, "password": credentials.admin_password}
        tokens = _json(http.post("/auth/login", json=login))
        http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        workspace = _json(http.post("/workspaces", json={"name": slug, "slug": slug}))["id"]
        accounts = f"/workspaces/{workspace}/service-accounts"
        account = _json(http.post(accounts, json={"name": "mlflow-bench", "role": ROLE}))
        key = _json(http.post(f"{accounts}/{account['id']}/api-keys", json={"name": "bench"}))
    return f"{stack.gateway_url}/mlflow/workspaces/{workspace}", str(key["key"])

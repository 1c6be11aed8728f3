"""Expired access tokens are refreshed with the refresh token, and the new pair saved."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest

from keel.errors import Unauthenticated
from keel.models import Tokens
from tests.unit.sdk.fakes import ScriptedGateway, problem, workspace_json


def _jwt(expires_at: float) -> str:
    claims = base64.urlsafe_b64encode(json.dumps({"exp": expires_at}).encode()).rstrip(b"=")
    return f"e30.{claims.decode()}.sig"


FRESH = _jwt(time.time() + 600)
EXPIRED = _jwt(time.time() - 10)
LISTED = httpx.Response(200, json={"items": [workspace_json()]})


def _tokens(access: str, refresh: str) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": access, "refresh_token": refresh, "expires_in": 600}
    )


def test_an_expired_token_is_refreshed_before_the_call() -> None:
    saved: list[Tokens] = []
    gateway = ScriptedGateway(_tokens(FRESH, "r2"), LISTED)
    client = gateway.client(access_token=EXPIRED, refresh_token="r1", on_refresh=saved.append)
    client.workspaces.list()
    refresh, listing = gateway.requests
    assert refresh.url.path == "/api/v1/auth/refresh"
    assert json.loads(refresh.content) == {"refresh_token": "r1"}
    assert listing.headers["Authorization"] == f"Bearer {FRESH}"
    assert [t.refresh_token for t in saved] == ["r2"]


def test_a_401_refreshes_once_and_repeats_the_call() -> None:
    gateway = ScriptedGateway(problem(401, "unauthenticated"), _tokens(FRESH, "r2"), LISTED)
    client = gateway.client(access_token=_jwt(time.time() + 600), refresh_token="r1")
    assert client.workspaces.list()[0].slug == "ml"
    assert [r.url.path for r in gateway.requests] == [
        "/api/v1/workspaces",
        "/api/v1/auth/refresh",
        "/api/v1/workspaces",
    ]


def test_a_refused_refresh_is_a_401_for_the_caller() -> None:
    gateway = ScriptedGateway(
        problem(401, "unauthenticated", detail="the refresh token was used"),
        problem(401, "unauthenticated", detail="token expired"),
    )
    client = gateway.client(access_token=EXPIRED, refresh_token="used")
    with pytest.raises(Unauthenticated, match="token expired"):
        client.workspaces.list()
    assert len(gateway.requests) == 2

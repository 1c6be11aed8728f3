"""Errors leave the gateway as problem+json: field and reason, never a traceback."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from keel_common.errors import Conflict, ServiceTimeout
from keel_gateway import problems


class Widget(BaseModel):
    name: str = Field(max_length=5)
    size: int


def app() -> FastAPI:
    api = FastAPI()
    problems.install(api)

    @api.post("/widgets")
    async def create(widget: Widget) -> Widget:
        return widget

    @api.get("/conflict")
    async def conflict() -> None:
        raise Conflict("widget w1 exists", widget="w1")

    @api.get("/slow")
    async def slow() -> None:
        raise ServiceTimeout("the metadata service did not answer within 5s", retry_after=1)

    @api.get("/boom")
    async def boom() -> None:
        raise RuntimeError("connection string postgresql://u:pw@h/db")

    return api


client = TestClient(app(), raise_server_exceptions=False)


def test_validation_error_names_each_field_and_reason() -> None:
    response = client.post("/widgets", json={"name": "too long", "size": "big"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://keel.dev/problems/invalid-input"
    fields = {e["field"]: e["reason"] for e in body["errors"]}
    assert set(fields) == {"name", "size"}
    assert "5 characters" in fields["name"]


def test_malformed_json_is_a_422_not_a_500() -> None:
    response = client.post(
        "/widgets", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"]


def test_keel_error_keeps_status_type_and_extensions() -> None:
    body = client.get("/conflict").json()
    assert body["status"] == 409
    assert body["type"].endswith("/conflict")
    assert body["widget"] == "w1"


def test_timeout_carries_retry_after() -> None:
    response = client.get("/slow")
    assert response.status_code == 503
    assert response.json()["type"].endswith("/service-timeout")
    assert response.headers["retry-after"] == "1"


def test_unexpected_error_is_a_bare_500() -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "pw@h" not in response.text
    assert "Traceback" not in response.text

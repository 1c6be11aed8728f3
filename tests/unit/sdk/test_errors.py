"""Failures arrive as exception classes carrying the gateway's problem details."""

from __future__ import annotations

import httpx
import pytest

from keel.errors import (
    ApiError,
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
    Unauthenticated,
    error_from_response,
)
from tests.unit.sdk.fakes import ScriptedGateway, problem


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, Unauthenticated),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (422, InvalidRequest),
        (500, ApiError),
    ],
)
def test_each_status_has_its_class(status: int, kind: type[ApiError]) -> None:
    error = error_from_response(problem(status, "x"))
    assert type(error) is kind and error.status == status


def test_the_problem_is_kept_whole() -> None:
    response = problem(
        422,
        "invalid-input",
        detail="bad request",
        request_id="req-1",
        errors=[{"field": "values.A B", "reason": "String should match pattern"}],
        instance="/api/v1/x",
    )
    error = error_from_response(response)
    assert error.type == "https://keel.dev/problems/invalid-input"
    assert error.detail == "bad request"
    assert error.request_id == "req-1"
    assert error.errors == [FieldError("values.A B", "String should match pattern")]
    assert "values.A B: String should match pattern" in str(error)


def test_a_non_json_failure_still_says_what_happened() -> None:
    error = error_from_response(
        httpx.Response(502, text="Bad Gateway", headers={"x-request-id": "r2"})
    )
    assert error.status == 502 and error.title == "Bad Gateway" and error.request_id == "r2"


def test_a_route_raises_the_problem_it_got() -> None:
    gateway = ScriptedGateway(problem(404, "not-found", detail="no secret app/db"))
    with pytest.raises(NotFound, match="no secret app/db"):
        gateway.client(api_key="keel_ak_x").workspace(
            "6f1d1c5e-2b8a-4b8e-9d7e-3c1b0a4e5f60"
        ).secrets.get("app/db")
    assert gateway.requests[0].url.path.endswith("/secrets/by-name/app/db")

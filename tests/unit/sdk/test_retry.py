"""When the SDK tries again, how long it waits, and when it gives up."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from keel.errors import ConnectionFailed, Unavailable
from keel.retry import RetryPolicy, parse_retry_after
from tests.unit.sdk.fakes import ScriptedGateway, problem, workspace_json

POLICY = RetryPolicy(attempts=4, backoff_s=1.0, max_backoff_s=4.0, max_retry_after_s=30)


@pytest.mark.parametrize("status", [503, 504])
def test_unavailable_reads_are_retried(status: int) -> None:
    assert POLICY.delay(1, method="GET", status=status) is not None


def test_a_post_that_may_have_happened_is_retried_only_with_an_idempotency_key() -> None:
    assert POLICY.delay(1, method="POST", status=504) is None
    assert POLICY.delay(1, method="POST", status=504, idempotency_key=True) is not None


def test_a_refused_connection_is_retried_for_any_method_a_lost_answer_only_if_idempotent() -> None:
    assert POLICY.delay(1, method="POST", status=None, connect_error=True) is not None
    assert POLICY.delay(1, method="POST", status=None) is None
    assert POLICY.delay(1, method="GET", status=None) is not None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500])
def test_client_errors_and_bugs_are_not_retried(status: int) -> None:
    assert POLICY.delay(1, method="GET", status=status) is None


def test_backoff_grows_is_jittered_and_capped_and_attempts_run_out() -> None:
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0)]:
        wait = POLICY.delay(attempt, method="GET", status=503)
        assert wait is not None and ceiling / 2 <= wait <= ceiling
    assert POLICY.delay(4, method="GET", status=503) is None


def test_retry_after_is_honored_unless_it_asks_too_much() -> None:
    assert POLICY.delay(1, method="POST", status=429, retry_after=7) == 7
    assert POLICY.delay(1, method="GET", status=503, retry_after=60) is None


def test_retry_after_as_seconds_or_as_a_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:10 GMT", now) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_the_client_waits_as_told_and_then_succeeds() -> None:
    waits: list[float] = []
    gateway = ScriptedGateway(
        problem(503, "service-unavailable", retry_after=2),
        problem(504, "service-timeout", retry_after=1),
        httpx.Response(200, json={"items": [workspace_json()]}),
    )
    client = gateway.client(api_key="keel_ak_x")
    client._http._sleep = waits.append
    assert [w.slug for w in client.workspaces.list()] == ["ml"]
    assert waits == [2.0, 1.0]
    assert len(gateway.requests) == 3


def test_the_client_gives_up_with_the_last_problem() -> None:
    gateway = ScriptedGateway(*[problem(503, "service-unavailable", service="auth")] * 4)
    with pytest.raises(Unavailable) as raised:
        gateway.client(api_key="keel_ak_x").workspaces.list()
    assert raised.value.extra["service"] == "auth"
    assert len(gateway.requests) == 4


def test_an_unreachable_gateway_is_a_connection_failure() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    gateway = ScriptedGateway(*[refuse] * 4)
    with pytest.raises(ConnectionFailed, match=r"cannot reach http://keel\.test"):
        gateway.client(api_key="keel_ak_x").workspaces.list()
    assert len(gateway.requests) == 4


def test_a_create_carries_one_key_through_its_retries_and_a_refresh_none() -> None:
    gateway = ScriptedGateway(
        problem(503, "service-unavailable", retry_after=0),
        httpx.Response(201, json=workspace_json("ml")),
        problem(503, "service-unavailable", retry_after=0),
    )
    with gateway.client(api_key="keel_ak_test") as keel:
        assert keel.workspaces.create("ML", "ml").slug == "ml"
        keys = [r.headers.get("idempotency-key") for r in gateway.requests]
        assert len(keys) == 2 and keys[0] is not None and keys[0] == keys[1]
        # A refresh token works once: no key, and a 503 is not tried again.
        with pytest.raises(Unavailable):
            keel.sessions.refresh("refresh-token")
    assert "idempotency-key" not in gateway.requests[2].headers
    assert len(gateway.requests) == 3

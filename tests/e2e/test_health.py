"""The fabric end to end: gateway → Kafka → each service → its database, and back."""

from __future__ import annotations

import time

import httpx
import pytest

from keel_common.bus.topics import rpc_topic
from keel_common.settings import BusSettings
from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.secrets_support import secrets_url
from tests.support.kafka import dead_letters_for, header, publish_raw

pytestmark = pytest.mark.broker


def test_health_shows_every_service_answering_over_kafka(services: RunningServices) -> None:
    response = httpx.get(f"{services.gateway_url}/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["services"]) == {"gateway", "auth", "secrets", "metadata"}
    for name in ("auth", "secrets", "metadata"):
        service = body["services"][name]
        assert service["status"] == "ok"
        assert service["database"] is True
        assert service["rtt_ms"] > 0


def test_liveness_and_readiness(services: RunningServices) -> None:
    assert httpx.get(f"{services.gateway_url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{services.gateway_url}/readyz").status_code == 200


def test_unknown_route_is_problem_json(services: RunningServices) -> None:
    response = httpx.get(f"{services.gateway_url}/api/v1/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/not-found")
    assert body["instance"] == "/api/v1/nope"
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("service", ["auth", "secrets", "metadata"])
async def test_malformed_message_on_a_service_topic_is_dead_lettered(
    services: RunningServices, bus_settings: BusSettings, service: str
) -> None:
    topic = rpc_topic(service)
    await publish_raw(bus_settings, topic, b'{"type": 42}', {"reply_to": "nowhere"})
    [parked] = await dead_letters_for(bus_settings, topic)
    assert parked.value == b'{"type": 42}'
    assert "type: Input should be a valid string" in header(parked, "keel-dlq-reason")
    assert header(parked, "keel-dlq-consumer") == f"keel-{service}"
    # The service keeps answering.
    async with httpx.AsyncClient() as client:
        health = (await client.get(f"{services.gateway_url}/api/v1/health")).json()
    assert health["services"][service]["status"] == "ok"


def test_a_killed_service_shows_unavailable_others_keep_working_then_it_recovers(
    services: RunningServices,
) -> None:
    headers = admin(services)
    workspace = new_workspace(services, headers)
    services.processes["metadata"].kill()
    started = time.monotonic()
    runs = httpx.get(
        f"{services.gateway_url}/api/v1/workspaces/{workspace}/runs", headers=headers, timeout=30
    )
    assert time.monotonic() - started < 10, "the route must give up within the RPC timeout"
    assert runs.status_code == 503
    assert runs.headers["content-type"] == "application/problem+json"
    assert "metadata" in runs.json()["detail"]
    assert int(runs.headers["retry-after"]) > 0
    # Routes of the services still running keep working.
    assert httpx.get(secrets_url(services, workspace), headers=headers).status_code == 200

    started = time.monotonic()
    response = httpx.get(f"{services.gateway_url}/api/v1/health")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["services"]["metadata"]["status"] == "unavailable"
    assert "did not answer" in body["services"]["metadata"]["error"]
    assert body["services"]["auth"]["status"] == "ok"
    assert body["services"]["secrets"]["status"] == "ok"
    assert elapsed < 10, "the gateway must answer within its RPC timeout, not hang"

    services.restart("metadata")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if httpx.get(f"{services.gateway_url}/api/v1/health").status_code == 200:
            break
        time.sleep(0.5)
    else:
        pytest.fail("metadata did not come back after a restart")

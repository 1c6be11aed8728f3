"""The gateway's edge on a small in-process app: what a client sees in headers, bodies and
status codes. (The same middleware on the real stack: tests/e2e/test_gateway_edge.py.)"""

from __future__ import annotations

import gzip
import time

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from keel_gateway import problems
from keel_gateway.auth.rate_limit import TooManyRequests
from keel_gateway.edge.body_limit import BodyLimit
from keel_gateway.edge.compression import SelectiveGZip
from keel_gateway.edge.headers import SecurityHeaders
from keel_gateway.edge.metrics_routes import router as metrics_router
from keel_gateway.edge.observe import ObserveRequests, RequestMetrics
from keel_gateway.edge.rate import TokenBuckets
from keel_gateway.edge.request_context import MAX_ID_LENGTH, RequestContext

BIG = {"rows": ["x" * 100] * 100}


def edge_app(max_bytes: int = 1000) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    app.state.metrics = RequestMetrics()
    app.add_middleware(BodyLimit, max_bytes=max_bytes)
    app.add_middleware(SelectiveGZip)
    app.add_middleware(RequestContext)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ObserveRequests, metrics=app.state.metrics)
    app.include_router(metrics_router)

    @app.get("/api/v1/workspaces/{workspace_id}/runs")
    async def runs(workspace_id: str) -> dict[str, list[str]]:
        return BIG

    @app.get("/api/v1/workspaces/{workspace_id}/secrets/{secret_id}/values")
    async def values(workspace_id: str, secret_id: str) -> dict[str, list[str]]:
        return BIG

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return app


def test_lists_are_compressed_and_secret_values_never_are() -> None:
    client = TestClient(edge_app())
    gz = {"Accept-Encoding": "gzip"}
    listed = client.get("/api/v1/workspaces/w/runs", headers=gz)
    assert listed.headers["content-encoding"] == "gzip"
    assert listed.json() == BIG  # httpx decodes it: the body is intact
    revealed = client.get("/api/v1/workspaces/w/secrets/s/values", headers=gz)
    assert "content-encoding" not in revealed.headers
    assert revealed.json() == BIG
    with pytest.raises(OSError):
        gzip.decompress(revealed.content)


def test_every_api_response_carries_the_security_headers() -> None:
    client = TestClient(edge_app())
    for response in (client.get("/api/v1/workspaces/w/runs"), client.get("/nowhere")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert "strict-transport-security" not in response.headers  # plain HTTP here
    secure = TestClient(edge_app(), base_url="https://testserver")
    assert "max-age" in secure.get("/api/v1/workspaces/w/runs").headers["strict-transport-security"]


def test_a_body_over_the_limit_is_a_413_problem_declared_or_streamed() -> None:
    client = TestClient(edge_app(max_bytes=1000))
    assert client.post("/echo", content=b"x" * 1000).json() == {"received": 1000}
    declared = client.post("/echo", content=b"x" * 1001)
    assert declared.status_code == 413
    assert declared.headers["content-type"] == "application/problem+json"
    assert "1000 bytes" in declared.json()["detail"]

    def chunks() -> object:
        for _ in range(5):
            yield b"y" * 300  # no Content-Length: sent chunked

    streamed = client.post("/echo", content=chunks())
    assert streamed.status_code == 413
    assert streamed.json()["status"] == 413


def test_metrics_count_requests_by_route_template_and_status() -> None:
    client = TestClient(edge_app())
    for workspace in ("a", "b", "c"):
        client.get(f"/api/v1/workspaces/{workspace}/runs")
    client.get("/nowhere")
    exposed = client.get("/metrics").text
    assert (
        'keel_gateway_requests_total{method="GET",route="/api/v1/workspaces/{workspace_id}/runs",'
        'status="200"} 3.0' in exposed
    )
    assert 'route="unmatched",status="404"' in exposed
    assert "/api/v1/workspaces/a/" not in exposed  # ids never become labels
    assert "keel_gateway_request_seconds_bucket" in exposed


def test_a_principal_gets_its_burst_then_429_with_retry_after() -> None:
    buckets = TokenBuckets(per_second=10, burst=3)
    for _ in range(3):
        buckets.take("user:1")
    with pytest.raises(TooManyRequests) as refused:
        buckets.take("user:1")
    assert refused.value.status == 429
    assert refused.value.extra["retry_after"] == 1
    buckets.take("user:2")  # another caller is unaffected
    time.sleep(0.15)  # 10/s refills one token in 0.1 s
    buckets.take("user:1")


def test_the_request_id_is_the_callers_bounded_or_a_new_one_also_on_problems() -> None:
    client = TestClient(edge_app())
    given = client.get("/api/v1/workspaces/w/runs", headers={"X-Request-Id": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"
    made = client.get("/nowhere")
    assert len(made.headers["x-request-id"]) == 32
    assert made.json()["request_id"] == made.headers["x-request-id"]
    huge = client.get("/nowhere", headers={"X-Request-Id": "x" * 5000})
    assert huge.headers["x-request-id"] == "x" * MAX_ID_LENGTH

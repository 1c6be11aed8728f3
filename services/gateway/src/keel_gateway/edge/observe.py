"""Request metrics (Prometheus) and the access log, as one pure ASGI middleware.

Labels and log fields use the route's template (`/api/v1/workspaces/{workspace_id}/...`),
never the raw path or query string: ids would explode the metric's cardinality, and query
strings can carry codes and tokens (SSO callbacks), which must not reach a log."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel_common.logging import get_logger

log = get_logger("keel_gateway.access")

# Seconds; the gateway's own work is milliseconds, an RPC to a busy service tens of them.
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class RequestMetrics:
    def __init__(self) -> None:
        # Per app, not the process-wide default registry: an app built twice in one
        # process (tests, the OpenAPI export) must not register the metrics twice.
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "keel_gateway_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "keel_gateway_request_seconds",
            "Time from the request's arrival to the end of its response.",
            ["route", "method"],
            buckets=BUCKETS,
            registry=self.registry,
        )


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class ObserveRequests:
    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app dies before it answers

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route, method = route_template(scope), scope["method"]
        self.metrics.requests.labels(route, method, str(status)).inc()
        self.metrics.latency.labels(route, method).observe(seconds)
        state: dict[str, Any] = scope.get("state") or {}
        client = scope.get("client")
        log.info(
            "request",
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
            request_id=state.get("request_id"),
            principal=state.get("principal"),
            client=client[0] if client else None,
        )

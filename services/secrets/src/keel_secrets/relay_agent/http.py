"""`/healthz` (the process runs), `/readyz` (Kafka consumer running and Vault usable) and
`/metrics` (Prometheus), for the orchestrator and the scraper. The agent starts and stops
with the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from keel_secrets.relay_agent.agent import RelayAgent


def http_app(agent: RelayAgent) -> Starlette:
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        checks = {"kafka": agent.connected, "vault": agent.vault_health}
        ready = agent.connected and agent.vault_health == "ok"
        return JSONResponse({"ready": ready, **checks}, status_code=200 if ready else 503)

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(agent.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await agent.start()
        try:
            yield
        finally:
            await agent.stop()

    return Starlette(
        lifespan=lifespan,
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
        ],
    )

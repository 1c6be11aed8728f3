"""`/healthz` (the process), `/readyz` (its dependencies), `/api/v1/health` (every service
answering `ping` over Kafka, with the round-trip time)."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.health import Ping, Pong
from keel_common.errors import KeelError
from keel_gateway.dependencies import Rpc, Settings
from keel_gateway.settings import GatewaySettings

router = APIRouter()


class ServiceHealth(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    rtt_ms: float | None = None
    instance: str | None = None
    version: str | None = None
    database: bool | None = None
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, ServiceHealth]


class Readiness(BaseModel):
    status: Literal["ready", "not-ready"]


async def _ping(client: RpcClient, service: str, timeout: float) -> ServiceHealth:
    started = time.perf_counter()
    try:
        pong = await client.call(service, Ping(), Pong, timeout=timeout)
    except KeelError as exc:
        return ServiceHealth(status="unavailable", error=exc.detail or exc.title)
    return ServiceHealth(
        status="ok" if pong.database else "degraded",
        rtt_ms=round((time.perf_counter() - started) * 1000, 2),
        instance=pong.instance,
        version=pong.version,
        database=pong.database,
    )


async def fabric_health(client: RpcClient, config: GatewaySettings) -> Health:
    results = await asyncio.gather(
        *(_ping(client, s, config.health_timeout_s) for s in config.services)
    )
    services = {
        "gateway": ServiceHealth(status="ok"),
        **dict(zip(config.services, results, strict=True)),
    }
    healthy = all(s.status == "ok" for s in services.values())
    return Health(status="ok" if healthy else "degraded", services=services)


@router.get(
    "/api/v1/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "A service does not answer"}},
    tags=["health"],
)
async def health(client: Rpc, config: Settings) -> JSONResponse:
    """Every service answers `ping` over Kafka; 503 if any of them does not."""
    report = await fabric_health(client, config)
    return JSONResponse(report.model_dump(), status_code=200 if report.status == "ok" else 503)


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A service does not answer"}},
    tags=["health"],
)
async def readyz(client: Rpc, config: Settings) -> JSONResponse:
    """Ready when the services it forwards to answer."""
    report = await fabric_health(client, config)
    ready = Readiness(status="ready" if report.status == "ok" else "not-ready")
    return JSONResponse(ready.model_dump(), status_code=200 if report.status == "ok" else 503)

"""`/metrics`: the gateway's request counts and latency histograms for Prometheus.

Unauthenticated like `/healthz`, and like it meant for the internal network: it names
route templates and status codes only, never a path with ids, a principal or a token."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from keel_gateway.edge.observe import RequestMetrics

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    collected: RequestMetrics = request.app.state.metrics
    return Response(generate_latest(collected.registry), media_type=CONTENT_TYPE_LATEST)

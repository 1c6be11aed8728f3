"""Builds the gateway's FastAPI app: lifespan (broker + RPC client), middleware, routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.middleware.cors import CORSMiddleware

from keel_common.bus.broker import make_broker
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.topics import TopicSpec, ensure_topics, events_topic
from keel_common.logging import configure_logging
from keel_common.settings import BusSettings
from keel_gateway import idempotency, problems
from keel_gateway.audit.routes import router as audit_router
from keel_gateway.auth.api_keys import ApiKeyCache
from keel_gateway.auth.device_routes import router as device_router
from keel_gateway.auth.permissions import PermissionCache
from keel_gateway.auth.principal import make_verifier
from keel_gateway.auth.rate_limit import SlidingWindow
from keel_gateway.auth.revocations import DeactivatedUsers, subscribe_revocations
from keel_gateway.auth.routes import router as auth_router
from keel_gateway.auth.sealing import AuthSealingKey
from keel_gateway.auth.sso_device import router as sso_device_router
from keel_gateway.auth.sso_routes import router as sso_router
from keel_gateway.edge.body_limit import BodyLimit
from keel_gateway.edge.compression import SelectiveGZip
from keel_gateway.edge.headers import SecurityHeaders
from keel_gateway.edge.metrics_routes import router as metrics_router
from keel_gateway.edge.nul import refuse_nul
from keel_gateway.edge.observe import ObserveRequests, RequestMetrics
from keel_gateway.edge.rate import TokenBuckets
from keel_gateway.edge.request_context import RequestContext
from keel_gateway.health.routes import router as health_router
from keel_gateway.members.roles_routes import router as roles_router
from keel_gateway.members.routes import router as members_router
from keel_gateway.metadata.artifact_routes import router as artifact_router
from keel_gateway.metadata.model_routes import router as model_router
from keel_gateway.metadata.routes import router as metadata_router
from keel_gateway.mlflow.artifact_routes import ARTIFACTS
from keel_gateway.mlflow.artifact_routes import router as mlflow_artifacts_router
from keel_gateway.mlflow.routes import fallback as mlflow_fallback
from keel_gateway.mlflow.routes import router as mlflow_router
from keel_gateway.mlflow.stores import artifact_store
from keel_gateway.secrets.relays_routes import router as relays_router
from keel_gateway.secrets.routes import router as secrets_router
from keel_gateway.secrets.sealing import ValueKeys
from keel_gateway.service_accounts.routes import router as service_accounts_router
from keel_gateway.settings import GatewaySettings
from keel_gateway.teams.routes import router as teams_router
from keel_gateway.workspaces.routes import router as workspaces_router

# Probes and metrics answer for the process itself, not as an API route.
EDGE_ROUTERS = (health_router, metrics_router)
API_ROUTERS = (
    auth_router,
    sso_router,
    sso_device_router,
    device_router,
    workspaces_router,
    service_accounts_router,
    members_router,
    roles_router,
    teams_router,
    secrets_router,
    relays_router,
    metadata_router,
    artifact_router,
    model_router,
    audit_router,
)
# MLflow's REST API, errors in MLflow's shape; the fallback answers what Keel lacks.
MLFLOW_ROUTERS = (mlflow_router, mlflow_artifacts_router, mlflow_fallback)


def lifespan_for(
    settings: GatewaySettings, bus_settings: BusSettings
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the broker and the RPC client, and put what routes share on `app.state`."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        broker = make_broker(bus_settings, client_id="keel-gateway")
        client = RpcClient(broker, bus_settings, caller="gateway")
        sealing = AuthSealingKey(client)
        permissions = PermissionCache(client, settings.permission_cache_ttl_s)
        api_keys = ApiKeyCache(client, sealing, settings.api_key_cache_ttl_s)
        deactivated = DeactivatedUsers()
        subscribe_revocations(
            broker,
            bus_settings,
            api_keys=api_keys,
            permissions=permissions,
            deactivated=deactivated,
        )
        await ensure_topics(bus_settings, [TopicSpec(events_topic("auth"), 3)])
        await broker.start()
        await client.start()
        app.state.rpc = client
        app.state.settings = settings
        app.state.verifier = make_verifier(client, settings)
        app.state.permissions = permissions
        app.state.api_keys = api_keys
        app.state.deactivated = deactivated
        app.state.auth_sealing_key = sealing
        app.state.value_keys = ValueKeys(client)
        app.state.sign_in_window = SlidingWindow(settings.sign_in_per_minute, 60.0)
        app.state.principal_buckets = TokenBuckets(
            settings.principal_requests_per_s, settings.principal_burst
        )
        try:
            async with artifact_store(settings) as artifacts:
                app.state.artifacts = artifacts
                yield
        finally:
            await client.stop()
            await broker.stop()

    return lifespan


def create_app(
    settings: GatewaySettings | None = None, bus_settings: BusSettings | None = None
) -> FastAPI:
    configure_logging("gateway")
    settings = settings or GatewaySettings()
    app = FastAPI(
        title="Keel",
        version="0.1.0",
        description="Keel control plane API",
        lifespan=lifespan_for(settings, bus_settings or BusSettings()),
        # FastAPI's OpenTelemetry hooks look the global providers up on every request (a
        # few environment reads each); Keel's traces travel in its own Kafka headers and
        # its metrics are the Prometheus ones, so they stay off.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    problems.install(app)
    metrics = RequestMetrics()
    app.state.metrics = metrics
    # Each addition wraps the ones before it: the last added sees the request first.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        file_paths=(ARTIFACTS,),
        file_max_bytes=settings.artifact_max_bytes,
    )
    app.add_middleware(SelectiveGZip)
    app.add_middleware(RequestContext)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
            expose_headers=["X-Request-Id", "Retry-After", "Location"],
            max_age=600,
        )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ObserveRequests, metrics=metrics)
    for router in EDGE_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        app.include_router(router, responses=problems.ERRORS, dependencies=[Depends(refuse_nul)])
    for router in MLFLOW_ROUTERS:
        app.include_router(router, dependencies=[Depends(refuse_nul)])
    problems.document(app)
    idempotency.document(app)
    return app

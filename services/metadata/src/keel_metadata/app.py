"""Builds the metadata service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

from keel_common.audit.record import AUDIT_TOPIC
from keel_common.bus.topics import TopicSpec
from keel_common.contracts.metadata import (
    INGEST_TOPIC,
)
from keel_common.service import ServiceRuntime
from keel_metadata.annotations import handlers as annotations_handlers
from keel_metadata.artifacts import handlers as artifacts_handlers
from keel_metadata.audit import audit_change
from keel_metadata.ingestion import subscribe_ingestion
from keel_metadata.logged_models import handlers as logged_models_handlers
from keel_metadata.mlflow_registry import handlers as mlflow_registry_handlers
from keel_metadata.registry import handlers as registry_handlers
from keel_metadata.runs import handlers as runs_handlers
from keel_metadata.scope import METADATA_EVENTS
from keel_metadata.settings import MetadataSettings
from keel_metadata.tracking import handlers as tracking_handlers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_runtime(settings: MetadataSettings | None = None) -> ServiceRuntime:
    runtime = ServiceRuntime(
        "metadata",
        settings or MetadataSettings(),
        MIGRATIONS,
        # Ingestion is keyed by run: more partitions, more runs ingested side by side.
        extra_topics=[
            TopicSpec(METADATA_EVENTS, 3),
            TopicSpec(INGEST_TOPIC, 6),
            TopicSpec(AUDIT_TOPIC, 3),
        ],
        on_rpc_success=audit_change,
    )
    runs_handlers.register(runtime.router)
    artifacts_handlers.register(runtime.router)
    registry_handlers.register(runtime.router)
    annotations_handlers.register(runtime.router)
    # The MLflow-compatible API.
    tracking_handlers.register(runtime.router)
    logged_models_handlers.register(runtime.router)
    mlflow_registry_handlers.register(runtime.router)
    subscribe_ingestion(runtime.broker, runtime.bus_settings, runtime.db)
    return runtime

"""The artifact store the gateway's settings choose, open for the app's lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from keel_gateway.mlflow.local_storage import LocalArtifactStore
from keel_gateway.mlflow.storage import ArtifactStore
from keel_gateway.settings import GatewaySettings


@asynccontextmanager
async def artifact_store(settings: GatewaySettings) -> AsyncIterator[ArtifactStore]:
    if settings.artifact_s3_uri is None:
        yield LocalArtifactStore(settings.artifact_root)
        return
    # Imported only here: botocore takes a while to load, and most gateways use a directory.
    from keel_gateway.mlflow.s3_storage import S3ArtifactStore

    store = S3ArtifactStore.from_uri(
        settings.artifact_s3_uri,
        endpoint_url=settings.artifact_s3_endpoint_url,
        region=settings.artifact_s3_region,
        addressing_style=settings.artifact_s3_addressing_style,
    )
    await store.start()
    try:
        yield store
    finally:
        await store.stop()

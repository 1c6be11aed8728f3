"""`/api/v1/workspaces/{workspace_id}/artifact-versions[...]`, lineage, run metadata, tags.

Keel stores where an artifact lives (its URI in the customer's store) and what is known
about it, never its bytes.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from keel_common.contracts.annotations import (
    Entity,
    GetMetadata,
    LogMetadata,
    MetadataKey,
    MetadataValue,
    MetadataView,
    SetTags,
    TaggedEntity,
    TagsView,
)
from keel_common.contracts.artifacts import (
    ArtifactVersionList,
    ArtifactVersionView,
    GetArtifactVersion,
    GetLineage,
    LineageGraph,
    ListArtifactVersions,
    RegisterArtifactVersion,
)
from keel_common.contracts.metadata import (
    Name,
    Tag,
)
from keel_common.errors import Forbidden
from keel_gateway.auth.permissions import PermissionCache
from keel_gateway.calls import WorkspaceCall
from keel_gateway.metadata.needs import ArtifactCreator, ArtifactReader, ModelReader, RunReader

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["artifacts"])

# Who may annotate what: metadata and tags follow the permission on the thing itself.
ANNOTATE = {
    "stack": ("stack:read", "stack:update"),
    "pipeline": ("pipeline:read", "pipeline:update"),
    "model": ("model:read", "model:update"),
    "run": ("pipeline_run:read", "pipeline_run:update"),
    "step": ("pipeline_run:read", "pipeline_run:update"),
    "artifact_version": ("artifact:read", "artifact:update"),
    "model_version": ("model_version:read", "model_version:update"),
}


@router.post("/artifact-versions", status_code=201, response_model=ArtifactVersionView)
async def register_artifact_version(
    body: RegisterArtifactVersion, call: ArtifactCreator
) -> ArtifactVersionView:
    return await call.ask(body, ArtifactVersionView)


@router.get("/artifact-versions/{version_id}", response_model=ArtifactVersionView)
async def get_artifact_version(version_id: uuid.UUID, call: ArtifactReader) -> ArtifactVersionView:
    return await call.ask(GetArtifactVersion(artifact_version_id=version_id), ArtifactVersionView)


@router.get("/artifacts/{name}/versions", response_model=ArtifactVersionList)
async def list_artifact_versions(
    name: Name,
    call: ArtifactReader,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ArtifactVersionList:
    query = ListArtifactVersions(artifact=name, limit=limit, cursor=cursor)
    return await call.ask(query, ArtifactVersionList)


@router.get("/artifact-versions/{version_id}/lineage", response_model=LineageGraph)
async def artifact_lineage(
    version_id: uuid.UUID, call: RunReader, depth: Annotated[int, Query(ge=1, le=20)] = 5
) -> LineageGraph:
    """The steps and runs that produced this version, their inputs, and so on upstream."""
    return await call.ask(GetLineage(artifact_version_id=version_id, depth=depth), LineageGraph)


@router.get("/model-versions/{version_id}/lineage", response_model=LineageGraph)
async def model_lineage(
    version_id: uuid.UUID, call: ModelReader, depth: Annotated[int, Query(ge=1, le=20)] = 5
) -> LineageGraph:
    """What the model version was made from: its artifacts' lineage (training data...)."""
    return await call.ask(GetLineage(model_version_id=version_id, depth=depth), LineageGraph)


async def _annotating(
    request: Request, call: WorkspaceCall, entity: str, write: bool
) -> WorkspaceCall:
    cache: PermissionCache = request.app.state.permissions
    needed = ANNOTATE[entity][1 if write else 0]
    if needed not in await cache.of(call.principal, call.workspace_id):
        raise Forbidden(f"missing permission {needed} in this workspace")
    return call


class MetadataBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    values: dict[MetadataKey, MetadataValue] = Field(min_length=1, max_length=100)


class TagsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tags: list[Tag] = Field(max_length=50)


@router.put("/metadata/{entity}/{entity_id}", response_model=MetadataView)
async def log_metadata(
    entity: Entity, entity_id: uuid.UUID, body: MetadataBody, request: Request, call: RunReader
) -> MetadataView:
    """Typed key -> value (number, string, json, uri); a key logged again is replaced."""
    call = await _annotating(request, call, entity, write=True)
    log = LogMetadata(entity=entity, entity_id=entity_id, values=body.values)
    return await call.ask(log, MetadataView)


@router.get("/metadata/{entity}/{entity_id}", response_model=MetadataView)
async def get_metadata(
    entity: Entity, entity_id: uuid.UUID, request: Request, call: RunReader
) -> MetadataView:
    call = await _annotating(request, call, entity, write=False)
    return await call.ask(GetMetadata(entity=entity, entity_id=entity_id), MetadataView)


@router.put("/tags/{entity}/{entity_id}", response_model=TagsView)
async def set_tags(
    entity: TaggedEntity,
    entity_id: uuid.UUID,
    body: TagsBody,
    request: Request,
    call: RunReader,
) -> TagsView:
    call = await _annotating(request, call, entity, write=True)
    return await call.ask(SetTags(entity=entity, entity_id=entity_id, tags=body.tags), TagsView)

"""Run metadata and tags on runs, steps, artifact versions and model versions. Takes a
session; never commits."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.annotations import (
    MAX_METADATA_VALUE_BYTES,
    LogMetadata,
    MetadataValue,
    SetTags,
)
from keel_common.errors import InvalidInput, NotFound, PayloadTooLarge
from keel_metadata.annotations.models import MetadataEntry
from keel_metadata.artifacts.models import ArtifactVersion
from keel_metadata.registry.models import ModelVersion
from keel_metadata.runs.models import PipelineRun, StepRun
from keel_metadata.scope import Scope

Tagged = type[PipelineRun] | type[ArtifactVersion] | type[ModelVersion]
TAGGED: dict[str, Tagged] = {
    "run": PipelineRun,
    "artifact_version": ArtifactVersion,
    "model_version": ModelVersion,
}


async def _require_entity(
    session: AsyncSession, workspace_id: uuid.UUID, entity: str, entity_id: uuid.UUID
) -> None:
    if entity == "step":
        query = (
            select(StepRun.id)
            .join(PipelineRun, PipelineRun.id == StepRun.run_id)
            .where(StepRun.id == entity_id, PipelineRun.workspace_id == workspace_id)
        )
    else:
        table = TAGGED[entity]
        query = select(table.id).where(table.id == entity_id, table.workspace_id == workspace_id)
    if await session.scalar(query) is None:
        raise NotFound(f"no {entity} {entity_id} in this workspace", field="entity_id")


def _checked(key: str, value: MetadataValue) -> Any:
    """The value if it is of its kind and small enough; a clear error naming it if not."""
    field = f"values.{key}"
    raw = value.value
    ok = {
        "number": isinstance(raw, int | float) and not isinstance(raw, bool),
        "string": isinstance(raw, str),
        "uri": isinstance(raw, str) and "://" in raw,
        "json": True,
    }[value.kind]
    if not ok:
        raise InvalidInput(f"{key} is not a {value.kind}", field=field)
    size = len(json.dumps(raw))
    if size > MAX_METADATA_VALUE_BYTES:
        raise PayloadTooLarge(
            f"{key} takes {size} bytes; a value holds at most {MAX_METADATA_VALUE_BYTES}",
            field=field,
        )
    return raw


async def log(
    session: AsyncSession, scope: Scope, request: LogMetadata
) -> dict[str, MetadataValue]:
    await _require_entity(session, scope.workspace_id, request.entity, request.entity_id)
    rows = [
        {
            "entity": request.entity,
            "entity_id": request.entity_id,
            "key": key,
            "workspace_id": scope.workspace_id,
            "kind": value.kind,
            "value": _checked(key, value),
        }
        for key, value in request.values.items()
    ]
    statement = insert(MetadataEntry).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["entity", "entity_id", "key"],
            set_={"kind": statement.excluded.kind, "value": statement.excluded.value},
        )
    )
    return await read(session, scope.workspace_id, request.entity, request.entity_id)


async def read(
    session: AsyncSession, workspace_id: uuid.UUID, entity: str, entity_id: uuid.UUID
) -> dict[str, MetadataValue]:
    await _require_entity(session, workspace_id, entity, entity_id)
    query = (
        select(MetadataEntry)
        .where(MetadataEntry.entity == entity, MetadataEntry.entity_id == entity_id)
        .order_by(MetadataEntry.key)
    )
    return {
        e.key: MetadataValue(kind=e.kind, value=e.value)
        for e in (await session.execute(query)).scalars()
    }


async def _tagged(
    session: AsyncSession, entity: str, entity_id: uuid.UUID
) -> PipelineRun | ArtifactVersion | ModelVersion | None:
    if entity == "run":
        return await session.get(PipelineRun, entity_id, with_for_update=True)
    if entity == "artifact_version":
        return await session.get(ArtifactVersion, entity_id, with_for_update=True)
    return await session.get(ModelVersion, entity_id, with_for_update=True)


async def set_tags(session: AsyncSession, scope: Scope, request: SetTags) -> list[str]:
    found = await _tagged(session, request.entity, request.entity_id)
    if found is not None and found.workspace_id != scope.workspace_id:
        found = None
    if found is None:
        raise NotFound(
            f"no {request.entity} {request.entity_id} in this workspace", field="entity_id"
        )
    tags = sorted(set(request.tags))
    found.tags = tags
    await session.flush()
    return tags

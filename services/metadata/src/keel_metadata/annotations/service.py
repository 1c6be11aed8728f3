"""Run metadata on runs, steps, artifact versions and model versions; tags on those and on
stacks, pipelines and models. Takes a session; never commits."""

from __future__ import annotations

import json
import uuid
from typing import Any, cast

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
from keel_metadata.pipelines.models import Pipeline
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.runs.models import PipelineRun, StepRun
from keel_metadata.scope import Scope
from keel_metadata.stacks.models import Stack

# What carries a workspace id of its own (a step belongs to its run's workspace).
Owned = PipelineRun | ArtifactVersion | ModelVersion | Stack | Pipeline | Model
TAGGED: dict[str, type[Owned]] = {
    "run": PipelineRun,
    "artifact_version": ArtifactVersion,
    "model_version": ModelVersion,
    "stack": Stack,
    "pipeline": Pipeline,
    "model": Model,
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
    session: AsyncSession, workspace_id: uuid.UUID, entity: str, entity_id: uuid.UUID
) -> Owned | StepRun | None:
    """The entity, locked, if it is in the workspace."""
    if entity == "step":
        query = (
            select(StepRun)
            .join(PipelineRun, PipelineRun.id == StepRun.run_id)
            .where(StepRun.id == entity_id, PipelineRun.workspace_id == workspace_id)
            .with_for_update(of=StepRun)
        )
        return (await session.execute(query)).scalar_one_or_none()
    # `get` of a class from the table is typed as their common base; it is that class.
    found = cast("Owned | None", await session.get(TAGGED[entity], entity_id, with_for_update=True))
    return found if found is not None and found.workspace_id == workspace_id else None


async def set_tags(session: AsyncSession, scope: Scope, request: SetTags) -> list[str]:
    found = await _tagged(session, scope.workspace_id, request.entity, request.entity_id)
    if found is None:
        raise NotFound(
            f"no {request.entity} {request.entity_id} in this workspace", field="entity_id"
        )
    tags = sorted(set(request.tags))
    found.tags = tags
    await session.flush()
    return tags

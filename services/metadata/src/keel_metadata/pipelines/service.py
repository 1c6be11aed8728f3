"""Pipelines, found or created by name, and versions of their spec. Takes a session."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_metadata.memo import remembered
from keel_metadata.pipelines.models import Pipeline, PipelineVersion


async def ensure(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, spec: dict[str, Any] | None
) -> tuple[Pipeline, PipelineVersion | None]:
    """The pipeline named `name` (created if new) and, given a spec, its version of that
    spec (a new version if the spec is new). Safe under concurrent callers."""
    digest = _digest(spec) if spec is not None else None
    return await remembered(
        session,
        ("pipeline", workspace_id, name, digest),
        lambda: _ensure(session, workspace_id, name, spec, digest),
    )


def _digest(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


async def _ensure(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    name: str,
    spec: dict[str, Any] | None,
    digest: str | None,
) -> tuple[Pipeline, PipelineVersion | None]:
    await session.execute(
        insert(Pipeline)
        .values(id=uuid.uuid4(), workspace_id=workspace_id, name=name)
        .on_conflict_do_nothing(index_elements=["workspace_id", "name"])
    )
    query = select(Pipeline).where(Pipeline.workspace_id == workspace_id, Pipeline.name == name)
    pipeline = (await session.execute(query)).scalar_one()
    if spec is None or digest is None:
        return pipeline, None
    found = await _version(session, pipeline.id, digest)
    if found is not None:
        return pipeline, found
    # Numbering takes the pipeline's row lock, so two new specs get distinct numbers.
    locked = (
        await session.execute(select(Pipeline).where(Pipeline.id == pipeline.id).with_for_update())
    ).scalar_one()
    found = await _version(session, pipeline.id, digest)
    if found is not None:
        return locked, found
    number = (locked.latest_version or 0) + 1
    version = PipelineVersion(pipeline_id=locked.id, version=number, spec=spec, spec_hash=digest)
    session.add(version)
    await session.execute(
        update(Pipeline).where(Pipeline.id == locked.id).values(latest_version=number)
    )
    await session.flush()
    await session.refresh(locked)
    return locked, version


async def _version(
    session: AsyncSession, pipeline_id: uuid.UUID, digest: str
) -> PipelineVersion | None:
    query = select(PipelineVersion).where(
        PipelineVersion.pipeline_id == pipeline_id, PipelineVersion.spec_hash == digest
    )
    return (await session.execute(query)).scalar_one_or_none()


async def by_name(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Pipeline | None:
    query = select(Pipeline).where(Pipeline.workspace_id == workspace_id, Pipeline.name == name)
    return (await session.execute(query)).scalar_one_or_none()


async def listed(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Pipeline]:
    query = select(Pipeline).where(Pipeline.workspace_id == workspace_id).order_by(Pipeline.name)
    return (await session.execute(query)).scalars().all()


async def name_of(session: AsyncSession, pipeline_id: uuid.UUID) -> str:
    pipeline = await session.get(Pipeline, pipeline_id)
    assert pipeline is not None  # a foreign key
    return pipeline.name

"""Every SQL query about runs and steps. Lists join what they show (pipeline name and
version) in the same statement: no query per row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from keel_metadata.pipelines.models import Pipeline, PipelineVersion
from keel_metadata.runs.models import PipelineRun, StepRun


@dataclass(frozen=True)
class RunRow:
    run: PipelineRun
    pipeline: str
    pipeline_version: int | None


def _with_names() -> Select[PipelineRun, str, int]:
    return (
        select(PipelineRun, Pipeline.name, PipelineVersion.version)
        .join(Pipeline, Pipeline.id == PipelineRun.pipeline_id)
        .outerjoin(PipelineVersion, PipelineVersion.id == PipelineRun.pipeline_version_id)
    )


PRELOADED = "keel_metadata_preloaded"


@dataclass
class Preloaded:
    """Runs locked and steps loaded for a whole ingestion batch in two queries; lookups
    for them are then answered from memory, including "no such run" for an id the batch
    names that does not exist yet. Objects created during the batch are remembered here
    too: the session's identity map knows them only once flushed, and asking it earlier
    would flush and select once per event."""

    asked: set[uuid.UUID]
    runs: dict[uuid.UUID, PipelineRun]
    steps: dict[tuple[uuid.UUID, str], StepRun]


async def preload(session: AsyncSession, run_ids: set[uuid.UUID]) -> None:
    locked = await session.execute(
        select(PipelineRun).where(PipelineRun.id.in_(run_ids)).with_for_update()
    )
    runs = {r.id: r for r in locked.scalars()}
    steps = (await session.execute(select(StepRun).where(StepRun.run_id.in_(runs)))).scalars()
    session.info[PRELOADED] = Preloaded(set(run_ids), runs, {(s.run_id, s.name): s for s in steps})


def _preloaded(session: AsyncSession, run_id: uuid.UUID) -> Preloaded | None:
    loaded: Preloaded | None = session.info.get(PRELOADED)
    return loaded if loaded is not None and run_id in loaded.asked else None


def remember_run(session: AsyncSession, run: PipelineRun) -> None:
    """A run created during a preloaded batch: later events for it look here."""
    loaded: Preloaded | None = session.info.get(PRELOADED)
    if loaded is not None:
        loaded.asked.add(run.id)
        loaded.runs[run.id] = run


def remember_step(session: AsyncSession, step: StepRun) -> None:
    loaded = _preloaded(session, step.run_id)
    if loaded is not None:
        loaded.steps[(step.run_id, step.name)] = step


async def run(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: uuid.UUID, *, for_update: bool = False
) -> PipelineRun | None:
    loaded = _preloaded(session, run_id)
    if loaded is not None:
        found = loaded.runs.get(run_id)
        return found if found is not None and found.workspace_id == workspace_id else None
    query = select(PipelineRun).where(
        PipelineRun.id == run_id, PipelineRun.workspace_id == workspace_id
    )
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def run_row(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: uuid.UUID
) -> RunRow | None:
    query = _with_names().where(PipelineRun.id == run_id, PipelineRun.workspace_id == workspace_id)
    found = (await session.execute(query)).one_or_none()
    return RunRow(found[0], found[1], found[2]) if found else None


@dataclass(frozen=True)
class RunFilter:
    statuses: list[str]
    project: str | None
    pipeline_id: uuid.UUID | None
    stack_id: uuid.UUID | None
    created_by: str | None
    name_prefix: str | None
    tag: str | None
    created_after: datetime | None
    created_before: datetime | None


async def page(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    where: RunFilter,
    *,
    sort: str,
    after: list[Any] | None,
    limit: int,
) -> list[RunRow]:
    """One page in `sort` order (`-` for descending), after the keyset `after`."""
    descending = sort.startswith("-")
    column = PipelineRun.name if sort.lstrip("-") == "name" else PipelineRun.created_at
    query = _with_names().where(PipelineRun.workspace_id == workspace_id)
    if where.statuses:
        query = query.where(PipelineRun.status.in_(where.statuses))
    if where.project is not None:
        query = query.where(PipelineRun.project == where.project)
    if where.pipeline_id is not None:
        query = query.where(PipelineRun.pipeline_id == where.pipeline_id)
    if where.stack_id is not None:
        query = query.where(PipelineRun.stack_id == where.stack_id)
    if where.created_by is not None:
        query = query.where(PipelineRun.created_by == where.created_by)
    if where.name_prefix:
        query = query.where(PipelineRun.name.startswith(where.name_prefix, autoescape=True))
    if where.tag is not None:
        query = query.where(PipelineRun.tags.contains([where.tag]))
    if where.created_after is not None:
        query = query.where(PipelineRun.created_at >= where.created_after)
    if where.created_before is not None:
        query = query.where(PipelineRun.created_at < where.created_before)
    if after is not None:
        key = tuple_(column, PipelineRun.id)
        bound = tuple_(*after)
        query = query.where(key < bound if descending else key > bound)
    order = [column.desc(), PipelineRun.id.desc()] if descending else [column, PipelineRun.id]
    rows = (await session.execute(query.order_by(*order).limit(limit))).all()
    return [RunRow(r[0], r[1], r[2]) for r in rows]


async def steps(session: AsyncSession, run_id: uuid.UUID) -> Sequence[StepRun]:
    query = (
        select(StepRun).where(StepRun.run_id == run_id).order_by(StepRun.started_at, StepRun.name)
    )
    return (await session.execute(query)).scalars().all()


async def step(
    session: AsyncSession, run_id: uuid.UUID, name: str, *, for_update: bool = False
) -> StepRun | None:
    loaded = _preloaded(session, run_id)
    if loaded is not None:
        return loaded.steps.get((run_id, name))
    query = select(StepRun).where(StepRun.run_id == run_id, StepRun.name == name)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()

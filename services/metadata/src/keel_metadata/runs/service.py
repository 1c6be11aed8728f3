"""Runs and steps: starting, moving through statuses, listing. Takes a session; never
commits. Every write the API and the ingestion topic make goes through here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.metadata import (
    FinishStep,
    ListRuns,
    RunFinished,
    RunStarted,
    SetRunStatus,
    StartRun,
    StartStep,
)
from keel_common.errors import Conflict, InvalidInput, NotFound
from keel_common.outbox.writer import publish_after_commit
from keel_common.paging import decode_cursor, encode_cursor
from keel_metadata.artifacts import service as artifacts
from keel_metadata.pipelines import service as pipelines
from keel_metadata.runs import repository
from keel_metadata.runs.models import PipelineRun, StepRun
from keel_metadata.runs.repository import RunFilter, RunRow
from keel_metadata.runs.status import RUN_RANK, STEP_RANK, Move, is_final, judge
from keel_metadata.scope import METADATA_EVENTS, Scope
from keel_metadata.stacks import service as stacks


def _now() -> datetime:
    return datetime.now(UTC)


async def _emit(session: AsyncSession, scope: Scope, event: Contract, run_id: uuid.UUID) -> None:
    envelope = Envelope.wrap(event, workspace=scope.workspace_id, actor=scope.actor)
    await publish_after_commit(session, METADATA_EVENTS, envelope, key=str(run_id))


async def _run(session: AsyncSession, scope: Scope, run_id: uuid.UUID) -> PipelineRun:
    found = await repository.run(session, scope.workspace_id, run_id, for_update=True)
    if found is None:
        raise NotFound(f"no run {run_id} in this workspace", field="run_id")
    return found


async def start_run(session: AsyncSession, scope: Scope, request: StartRun) -> PipelineRun:
    if request.run_id is not None:
        existing = await repository.run(session, scope.workspace_id, request.run_id)
        if existing is not None:
            return await _move_run(session, scope, existing, request.status, request.started_at)
    pipeline, version = await pipelines.ensure(
        session, scope.workspace_id, request.pipeline, request.pipeline_spec
    )
    stack_id = None
    if request.stack is not None:
        stack = await stacks.by_name(session, scope.workspace_id, request.stack)
        if stack is None:
            raise InvalidInput(f"no stack named {request.stack!r}", field="stack")
        stack_id = stack.id
    started = request.started_at or _now()
    run = PipelineRun(
        id=request.run_id or uuid.uuid4(),
        workspace_id=scope.workspace_id,
        name=request.name or f"{request.pipeline}-{started:%Y%m%d-%H%M%S-%f}",
        project=request.project,
        pipeline_id=pipeline.id,
        pipeline_version_id=version.id if version else None,
        stack_id=stack_id,
        status=request.status,
        started_at=started if request.status == "running" else None,
        parameters=request.parameters,
        trigger=request.trigger,
        code_ref=request.code_ref,
        tags=sorted(set(request.tags)),
        created_by=scope.actor,
    )
    if scope.strict:
        try:
            async with session.begin_nested():
                session.add(run)
        except IntegrityError:
            raise Conflict("the run id is taken", field="run_id") from None
    else:
        # Ingestion batches skip the savepoint (a round trip per run); a clash fails the
        # batch, and its messages are then applied one by one.
        session.add(run)
    repository.remember_run(session, run)
    if run.status == "running":
        await _emit(
            session,
            scope,
            RunStarted(run_id=run.id, pipeline=request.pipeline, stack_id=stack_id),
            run.id,
        )
    return run


async def set_run_status(session: AsyncSession, scope: Scope, request: SetRunStatus) -> PipelineRun:
    run = await _run(session, scope, request.run_id)
    if request.expected_revision is not None and request.expected_revision != run.revision:
        raise Conflict(
            f"the run is at revision {run.revision}, not {request.expected_revision}",
            field="expected_revision",
            current_revision=run.revision,
        )
    return await _move_run(session, scope, run, request.status, request.at)


async def _move_run(
    session: AsyncSession, scope: Scope, run: PipelineRun, status: str, at: datetime | None
) -> PipelineRun:
    move = judge(RUN_RANK, run.status, status)
    if move is Move.SAME or (move is Move.STALE and not scope.strict):
        return run
    if move is not Move.FORWARD:
        raise Conflict(f"the run is {run.status}; it cannot become {status}", field="status")
    when = at or _now()
    pipeline = await pipelines.name_of(session, run.pipeline_id)
    if status == "running" or run.started_at is None:
        run.started_at = when
        await _emit(
            session,
            scope,
            RunStarted(run_id=run.id, pipeline=pipeline, stack_id=run.stack_id),
            run.id,
        )
    if is_final(RUN_RANK, status):
        if when < run.started_at:
            raise InvalidInput("a run cannot finish before it started", field="at")
        run.finished_at = when
        await _emit(
            session, scope, RunFinished(run_id=run.id, pipeline=pipeline, status=status), run.id
        )
    run.status = status
    return run


async def start_step(session: AsyncSession, scope: Scope, request: StartStep) -> StepRun:
    run = await _run(session, scope, request.run_id)
    if is_final(RUN_RANK, run.status) and scope.strict:
        raise Conflict(f"the run is {run.status}; no step can start in it", field="run_id")
    if run.status == "initializing":
        await _move_run(session, scope, run, "running", request.started_at)
    when = request.started_at or _now()
    step = await repository.step(session, run.id, request.name, for_update=True)
    if step is None:
        step = StepRun(
            id=request.step_id or uuid.uuid4(),
            run_id=run.id,
            name=request.name,
            status="running",
            upstream=request.upstream,
            cache_key=request.cache_key,
            started_at=when,
        )
        session.add(step)
        repository.remember_step(session, step)
        await artifacts.record_inputs(session, scope, step, request.inputs)
        return step
    await artifacts.record_inputs(session, scope, step, request.inputs)
    move = judge(STEP_RANK, step.status, "running")
    if move is Move.STALE and not scope.strict:
        # "started" arriving after "finished": keep the final status, learn the start time.
        step.started_at = step.started_at or when
        return step
    if move is not Move.FORWARD:
        if move is Move.SAME:
            return step
        raise Conflict(f"step {step.name} is {step.status}; it cannot start again", field="name")
    step.status, step.started_at = "running", when
    return step


async def finish_step(session: AsyncSession, scope: Scope, request: FinishStep) -> StepRun:
    run = await _run(session, scope, request.run_id)
    when = request.finished_at or _now()
    step = await repository.step(session, run.id, request.name, for_update=True)
    if step is None:
        if scope.strict and request.status not in ("cached", "skipped"):
            raise Conflict(f"step {request.name} has not started", field="name")
        step = StepRun(
            id=uuid.uuid4(),
            run_id=run.id,
            name=request.name,
            status="pending",
            upstream=request.upstream,
            cache_key=request.cache_key,
            started_at=request.started_at,
        )
        session.add(step)
        repository.remember_step(session, step)
    move = judge(STEP_RANK, step.status, request.status)
    if move is Move.SAME:
        return step  # a replay: its outputs were registered the first time
    if move is not Move.FORWARD:
        raise Conflict(
            f"step {step.name} is {step.status}; it cannot become {request.status}", field="status"
        )
    if step.started_at is not None and when < step.started_at:
        raise InvalidInput(f"step {step.name} cannot finish before it started", field="finished_at")
    step.status, step.finished_at = request.status, when
    step.cached_from = request.cached_from or step.cached_from
    step.cache_key = request.cache_key or step.cache_key
    await artifacts.record_inputs(session, scope, step, request.inputs)
    for output in request.outputs:
        await artifacts.register(session, scope, output, step)
    return step


SORT_COLUMNS = {"created_at": "created_at", "name": "name"}


async def listed(
    session: AsyncSession, scope: Scope, request: ListRuns
) -> tuple[list[RunRow], str | None]:
    pipeline_id = stack_id = None
    if request.pipeline is not None:
        pipeline = await pipelines.by_name(session, scope.workspace_id, request.pipeline)
        if pipeline is None:
            return [], None
        pipeline_id = pipeline.id
    if request.stack is not None:
        stack = await stacks.by_name(session, scope.workspace_id, request.stack)
        if stack is None:
            return [], None
        stack_id = stack.id
    where = RunFilter(
        list(request.status),
        request.project,
        pipeline_id,
        stack_id,
        request.created_by,
        request.name_prefix,
        request.tag,
        request.created_after,
        request.created_before,
    )
    after = _cursor_key(request) if request.cursor else None
    rows = await repository.page(
        session, scope.workspace_id, where, sort=request.sort, after=after, limit=request.limit + 1
    )
    items = rows[: request.limit]
    if len(rows) <= request.limit:
        return items, None
    last = items[-1].run
    key = last.name if request.sort.lstrip("-") == "name" else last.created_at.isoformat()
    return items, encode_cursor([request.sort, key, str(last.id)])


def _cursor_key(request: ListRuns) -> list[object]:
    assert request.cursor is not None
    sort, key, last_id = decode_cursor(request.cursor, 3)
    if sort != request.sort:
        raise InvalidInput("the cursor belongs to another sort order", field="cursor")
    try:
        parsed: object = key if sort.lstrip("-") == "name" else datetime.fromisoformat(key)
        return [parsed, uuid.UUID(last_id)]
    except (TypeError, ValueError):
        raise InvalidInput("the cursor is not one this API returned", field="cursor") from None


async def detail(
    session: AsyncSession, scope: Scope, run_id: uuid.UUID
) -> tuple[RunRow, list[StepRun]]:
    row = await repository.run_row(session, scope.workspace_id, run_id)
    if row is None:
        raise NotFound(f"no run {run_id} in this workspace")
    return row, list(await repository.steps(session, run_id))

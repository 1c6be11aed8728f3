"""Runs: their lifecycle and everything logged to them. Takes a session; never commits.

Logging locks the run row: its params, tags and latest metrics are JSONB maps on the row,
so concurrent batches for one run must take turns to merge into them."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.base import LoggedMetric, Param, Tag
from keel_common.contracts.mlflow.runs import CreateRun, LogBatch, UpdateRun
from keel_common.errors import FieldIssue, InvalidInput, NotFound
from keel_metadata.scope import Scope
from keel_metadata.tracking import experiments
from keel_metadata.tracking.models import ACTIVE, DELETED, Experiment, MetricPoint, Run
from keel_metadata.tracking.names import run_name
from keel_metadata.tracking.tokens import now_ms

RUN_NAME_TAG = "mlflow.runName"


async def create(session: AsyncSession, scope: Scope, request: CreateRun) -> tuple[Run, int]:
    experiment = await experiments.active(session, scope.workspace_id, request.experiment_id)
    tags = {t.key: t.value for t in request.tags}
    name = request.run_name or tags.get(RUN_NAME_TAG) or run_name()
    run_id = uuid.uuid4().hex
    run = Run(
        id=run_id,
        workspace_id=scope.workspace_id,
        experiment_id=experiment.id,
        name=name,
        # The authenticated caller, not whatever user name the client claims.
        user_id=scope.actor,
        status="RUNNING",
        start_time=request.start_time or now_ms(),
        lifecycle_stage=ACTIVE,
        artifact_uri=f"{experiment.artifact_location}/{run_id}/artifacts",
        params={},
        tags={**tags, RUN_NAME_TAG: name},
        metrics={},
        inputs={},
        outputs={},
    )
    session.add(run)
    await session.flush()
    return run, experiment.number


async def get(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: str, *, lock: bool = False
) -> tuple[Run, int]:
    """The run and its experiment's number."""
    query = (
        select(Run, Experiment.number)
        .join(Experiment, Experiment.id == Run.experiment_id)
        .where(Run.id == run_id, Run.workspace_id == workspace_id)
    )
    if lock:
        query = query.with_for_update(of=Run)
    found = (await session.execute(query)).one_or_none()
    if found is None:
        raise NotFound(f"no run with id {run_id}", field="run_id")
    return found[0], found[1]


async def _active(session: AsyncSession, workspace_id: uuid.UUID, run_id: str) -> Run:
    run, _ = await get(session, workspace_id, run_id, lock=True)
    if run.lifecycle_stage != ACTIVE:
        raise InvalidInput(
            f"the run {run_id} must be in the 'active' state",
            errors=[FieldIssue(field="run_id", reason="the run is deleted")],
        )
    return run


async def update_run(session: AsyncSession, scope: Scope, request: UpdateRun) -> tuple[Run, int]:
    run, number = await get(session, scope.workspace_id, request.run_id, lock=True)
    if request.status is not None:
        run.status = request.status
    if request.end_time is not None:
        run.end_time = request.end_time
    if request.run_name:
        run.name = request.run_name
        run.tags = {**run.tags, RUN_NAME_TAG: request.run_name}
    return run, number


async def set_stage(session: AsyncSession, scope: Scope, run_id: str, stage: str) -> None:
    run, _ = await get(session, scope.workspace_id, run_id, lock=True)
    run.lifecycle_stage = stage
    run.deleted_time = now_ms() if stage == DELETED else None


async def follow_experiment(session: AsyncSession, experiment_id: uuid.UUID, stage: str) -> None:
    """An experiment's runs are deleted and restored with it."""
    await session.execute(
        update(Run)
        .where(Run.experiment_id == experiment_id)
        .values(lifecycle_stage=stage, deleted_time=now_ms() if stage == DELETED else None)
    )


def _params(run: Run, params: list[Param]) -> dict[str, str]:
    merged = dict(run.params)
    for param in params:
        known = merged.get(param.key)
        if known is not None and known != param.value:
            # MLflow's rule: a param is logged once; a run's inputs do not change.
            raise InvalidInput(
                f"changing param values is not allowed: param {param.key!r} was already "
                f"logged with value {known!r} for run {run.id}",
                errors=[FieldIssue(field="params", reason=f"{param.key!r} is already logged")],
            )
        merged[param.key] = param.value
    return merged


def json_number(value: float) -> float | str:
    """JSONB has no NaN or infinities; Postgres reads these strings back as float8."""
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _order(point: dict[str, Any]) -> tuple[int, int, float]:
    value = float(point["value"])
    return point["step"], point["timestamp"], -math.inf if math.isnan(value) else value


def _latest(run: Run, metrics: list[LoggedMetric]) -> dict[str, dict[str, Any]]:
    latest = dict(run.metrics)
    for metric in metrics:
        point = {
            "value": json_number(metric.value),
            "timestamp": metric.timestamp,
            "step": metric.step,
        }
        known = latest.get(metric.key)
        if known is None or _order(point) >= _order(known):
            latest[metric.key] = point
    return latest


async def log_batch(session: AsyncSession, scope: Scope, request: LogBatch) -> None:
    _refuse_duplicate_params(request.params)
    run = await _active(session, scope.workspace_id, request.run_id)
    if request.params:
        run.params = _params(run, request.params)
    if request.tags:
        run.tags = _with_tags(run, request.tags)
    if request.metrics:
        run.metrics = _latest(run, request.metrics)
        await session.execute(
            insert(MetricPoint),
            [
                {
                    "run_id": run.id,
                    "key": m.key,
                    "value": m.value,
                    "timestamp": m.timestamp,
                    "step": m.step,
                }
                for m in request.metrics
            ],
        )


def _refuse_duplicate_params(params: list[Param]) -> None:
    seen: dict[str, str] = {}
    for param in params:
        if seen.setdefault(param.key, param.value) != param.value:
            raise InvalidInput(
                f"param {param.key!r} appears twice in the batch with different values",
                errors=[FieldIssue(field="params", reason=f"{param.key!r} is duplicated")],
            )


def _with_tags(run: Run, tags: list[Tag]) -> dict[str, str]:
    merged = {**run.tags, **{t.key: t.value for t in tags}}
    if RUN_NAME_TAG in merged:
        run.name = merged[RUN_NAME_TAG]
    return merged


async def delete_tag(session: AsyncSession, scope: Scope, run_id: str, key: str) -> None:
    run = await _active(session, scope.workspace_id, run_id)
    if key not in run.tags:
        raise NotFound(f"no tag {key!r} on run {run_id}", field="key")
    run.tags = {k: v for k, v in run.tags.items() if k != key}


async def log_inputs(
    session: AsyncSession,
    scope: Scope,
    run_id: str,
    datasets: list[dict[str, Any]],
    models: list[dict[str, Any]],
) -> None:
    run = await _active(session, scope.workspace_id, run_id)
    inputs = dict(run.inputs)
    for field, added in (("dataset_inputs", datasets), ("model_inputs", models)):
        if added:
            known = list(inputs.get(field, []))
            inputs[field] = known + [entry for entry in added if entry not in known]
    run.inputs = inputs


async def log_outputs(
    session: AsyncSession, scope: Scope, run_id: str, models: list[dict[str, Any]]
) -> None:
    run = await _active(session, scope.workspace_id, run_id)
    known = list(run.outputs.get("model_outputs", []))
    run.outputs = {
        **run.outputs,
        "model_outputs": known + [m for m in models if m not in known],
    }


async def metric_history(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    run_id: str,
    key: str,
    *,
    offset: int,
    limit: int,
) -> Sequence[Row[float, int, int]]:
    """(value, timestamp, step) of each point, as plain rows: no ORM object per point. One
    query (the points joined to their run in this workspace); only an empty answer asks
    whether the run exists at all."""
    query = (
        select(MetricPoint.value, MetricPoint.timestamp, MetricPoint.step)
        .join(Run, Run.id == MetricPoint.run_id)
        .where(
            MetricPoint.run_id == run_id, MetricPoint.key == key, Run.workspace_id == workspace_id
        )
        .order_by(MetricPoint.step, MetricPoint.timestamp, MetricPoint.id)
        .offset(offset)
        .limit(limit)
    )
    points = (await session.execute(query)).all()
    if not points:
        await get(session, workspace_id, run_id)
    return points

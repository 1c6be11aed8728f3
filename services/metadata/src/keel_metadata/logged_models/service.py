"""Logged models: created by `log_model` before its files are uploaded, finalized after.
Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.base import Param, Tag
from keel_common.contracts.mlflow.logged_models import CreateLoggedModel, SearchLoggedModels
from keel_common.errors import FieldIssue, InvalidInput, NotFound
from keel_metadata.logged_models.models import LoggedModel
from keel_metadata.scope import Scope
from keel_metadata.tracking import experiments, runs
from keel_metadata.tracking.models import ACTIVE, DELETED, Experiment
from keel_metadata.tracking.names import run_name
from keel_metadata.tracking.search import parse_filter
from keel_metadata.tracking.tokens import now_ms, offset_of, token_for


async def create(
    session: AsyncSession, scope: Scope, request: CreateLoggedModel
) -> tuple[LoggedModel, int]:
    experiment = await experiments.active(session, scope.workspace_id, request.experiment_id)
    if request.source_run_id is not None:
        await runs.get(session, scope.workspace_id, request.source_run_id)
    model_id = f"m-{uuid.uuid4().hex}"
    now = now_ms()
    model = LoggedModel(
        id=model_id,
        workspace_id=scope.workspace_id,
        experiment_id=experiment.id,
        name=request.name or run_name(),
        artifact_uri=f"{experiment.artifact_location}/models/{model_id}/artifacts",
        status="LOGGED_MODEL_PENDING",
        model_type=request.model_type,
        source_run_id=request.source_run_id,
        lifecycle_stage=ACTIVE,
        created_by=scope.actor,
        created_ms=now,
        updated_ms=now,
        params={p.key: p.value for p in request.params},
        tags={t.key: t.value for t in request.tags},
    )
    session.add(model)
    await session.flush()
    return model, experiment.number


async def get(
    session: AsyncSession, workspace_id: uuid.UUID, model_id: str, *, lock: bool = False
) -> tuple[LoggedModel, int]:
    query = (
        select(LoggedModel, Experiment.number)
        .join(Experiment, Experiment.id == LoggedModel.experiment_id)
        .where(
            LoggedModel.id == model_id,
            LoggedModel.workspace_id == workspace_id,
            LoggedModel.lifecycle_stage == ACTIVE,
        )
    )
    found = (
        await session.execute(query.with_for_update(of=LoggedModel) if lock else query)
    ).one_or_none()
    if found is None:
        raise NotFound(f"no logged model with id {model_id}", field="model_id")
    return found[0], found[1]


async def finalize(
    session: AsyncSession, workspace_id: uuid.UUID, model_id: str, status: str
) -> tuple[LoggedModel, int]:
    if status not in ("LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED"):
        raise InvalidInput(
            f"a logged model is finalized as READY or UPLOAD_FAILED, not {status}",
            errors=[FieldIssue(field="status", reason="not a final status")],
        )
    model, number = await get(session, workspace_id, model_id, lock=True)
    model.status = status
    model.updated_ms = now_ms()
    return model, number


async def delete(session: AsyncSession, workspace_id: uuid.UUID, model_id: str) -> None:
    model, _ = await get(session, workspace_id, model_id, lock=True)
    model.lifecycle_stage = DELETED
    model.updated_ms = now_ms()


async def set_tags(
    session: AsyncSession, workspace_id: uuid.UUID, model_id: str, tags: list[Tag]
) -> None:
    model, _ = await get(session, workspace_id, model_id, lock=True)
    model.tags = {**model.tags, **{t.key: t.value for t in tags}}
    model.updated_ms = now_ms()


async def delete_tag(
    session: AsyncSession, workspace_id: uuid.UUID, model_id: str, key: str
) -> None:
    model, _ = await get(session, workspace_id, model_id, lock=True)
    if key not in model.tags:
        raise NotFound(f"logged model {model_id} has no tag {key!r}", field="tag_key")
    model.tags = {k: v for k, v in model.tags.items() if k != key}


async def log_params(
    session: AsyncSession, workspace_id: uuid.UUID, model_id: str, params: list[Param]
) -> None:
    model, _ = await get(session, workspace_id, model_id, lock=True)
    model.params = {**model.params, **{p.key: p.value for p in params}}


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchLoggedModels
) -> tuple[Sequence[tuple[LoggedModel, int]], str | None]:
    """By experiment, newest first. Filters: `source_run_id = '...'`, `name = '...'`."""
    offset = offset_of(request.page_token)
    query = (
        select(LoggedModel, Experiment.number)
        .join(Experiment, Experiment.id == LoggedModel.experiment_id)
        .where(
            LoggedModel.workspace_id == workspace_id,
            LoggedModel.lifecycle_stage == ACTIVE,
            Experiment.number.in_([int(n) for n in request.experiment_ids]),
            *_equalities(request.filter),
        )
        .order_by(LoggedModel.created_ms.desc(), LoggedModel.id)
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).tuples().all()
    more = len(found) > request.max_results
    page = found[: request.max_results]
    return page, token_for(offset + request.max_results) if more else None


_FILTERABLE = {
    "source_run_id": LoggedModel.source_run_id,
    "name": LoggedModel.name,
    "model_id": LoggedModel.id,
    "status": LoggedModel.status,
}


def _equalities(text: str | None) -> list[ColumnElement[bool]]:
    """`a = 'x' AND b = 'y'`: the filters MLflow's own client sends for logged models."""
    if not text:
        return []
    conditions: list[ColumnElement[bool]] = []
    for comparison in parse_filter(text):
        column = _FILTERABLE.get(comparison.key)
        if column is None or comparison.comparator != "=":
            raise InvalidInput(
                f"logged models are filtered by equality on {', '.join(_FILTERABLE)}",
                errors=[FieldIssue(field="filter", reason=f"unsupported: {comparison.key}")],
            )
        conditions.append(column == comparison.value)
    return conditions

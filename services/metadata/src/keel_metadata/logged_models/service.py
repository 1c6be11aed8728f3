"""Logged models: created by `log_model` before its files are uploaded, finalized after.
Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.base import LoggedMetric, Param, Tag
from keel_common.contracts.mlflow.logged_models import CreateLoggedModel, SearchLoggedModels
from keel_common.errors import FieldIssue, InvalidInput, NotFound
from keel_metadata.logged_models import metrics
from keel_metadata.logged_models.models import LoggedModel
from keel_metadata.scope import Scope
from keel_metadata.tracking import experiments, runs
from keel_metadata.tracking.models import ACTIVE, DELETED, Experiment
from keel_metadata.tracking.names import run_name
from keel_metadata.tracking.search import (
    bound,
    compare,
    direction,
    map_condition,
)
from keel_metadata.tracking.search_grammar import (
    MATCH_COMPARATORS,
    RUN_PREFIXES,
    Dialect,
    Entity,
    invalid,
    parse_filter,
)
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


async def link_metrics(
    session: AsyncSession, workspace_id: uuid.UUID, run_id: str, logged: Sequence[LoggedMetric]
) -> None:
    """Add the batch's metrics that name a logged model to that model (which must exist in
    the workspace: an unknown model_id fails the whole batch)."""
    by_model: dict[str, list[LoggedMetric]] = defaultdict(list)
    for metric in logged:
        if metric.model_id:
            by_model[metric.model_id].append(metric)
    for model_id in sorted(by_model):  # one lock order, whatever the batch's
        model, _ = await get(session, workspace_id, model_id, lock=True)
        model.metrics = metrics.merged(model.metrics, by_model[model_id], run_id)


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchLoggedModels
) -> tuple[Sequence[tuple[LoggedModel, int]], str | None]:
    """By experiment, filtered and ordered as MLflow's `search_logged_models`."""
    offset = offset_of(request.page_token)
    query = (
        select(LoggedModel, Experiment.number)
        .join(Experiment, Experiment.id == LoggedModel.experiment_id)
        .where(
            LoggedModel.workspace_id == workspace_id,
            LoggedModel.lifecycle_stage == ACTIVE,
            Experiment.number.in_([int(n) for n in request.experiment_ids]),
            *where_clauses(request.filter, request.datasets),
        )
        .order_by(*order_clauses(request.order_by))
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).tuples().all()
    more = len(found) > request.max_results
    page = found[: request.max_results]
    return page, token_for(offset + request.max_results) if more else None


_COLUMNS = inspect(LoggedModel).columns
_ATTRIBUTE_COLUMNS: dict[str, Column[Any]] = {
    "name": _COLUMNS.name,
    "model_id": _COLUMNS.id,
    "model_type": _COLUMNS.model_type,
    "status": _COLUMNS.status,
    "source_run_id": _COLUMNS.source_run_id,
    **dict.fromkeys(["creation_timestamp", "creation_time"], _COLUMNS.created_ms),
    **dict.fromkeys(["last_updated_timestamp", "last_updated_time"], _COLUMNS.updated_ms),
}
# `SearchLoggedModelsUtils`: runs' prefixes, datasets aside (MLflow's SQL store refuses them;
# `datasets` is a field of the request instead); tags and params without IS NULL; any string
# attribute compared with a list.
LOGGED_MODELS = Dialect(
    name="logged models",
    prefixes={p: e for p, e in RUN_PREFIXES.items() if e is not Entity.DATASET},
    attributes=frozenset(_ATTRIBUTE_COLUMNS),
    numeric_attributes=frozenset(
        {"creation_timestamp", "creation_time", "last_updated_timestamp", "last_updated_time"}
    ),
    order_attributes=frozenset(_ATTRIBUTE_COLUMNS),
    order_entities=frozenset({Entity.ATTRIBUTE}),
    comparators={Entity.PARAM: MATCH_COMPARATORS, Entity.TAG: MATCH_COMPARATORS},
    list_attributes=None,
)
_NO_METRIC_ORDER = (
    "Keel does not order logged models by metric ({!r}); filter by it (metrics.<key> > ...) "
    "or order by an attribute"
)


def where_clauses(
    text: str | None, datasets: Sequence[dict[str, Any]] = ()
) -> list[ColumnElement[bool]]:
    """MLflow's `filter_string` for logged models, e.g. `name = 'model'` (what the client's
    runs:/ artifact repository sends) or `params.lr = '0.1' AND metrics.acc > 0.9`; metric
    clauses hold on one of `datasets` when the search names any."""
    conditions: list[ColumnElement[bool]] = []
    for c in parse_filter(text, LOGGED_MODELS):
        match c.entity:
            case Entity.ATTRIBUTE:
                column = _ATTRIBUTE_COLUMNS[c.key]
                conditions.append(compare(column, c.comparator, bound(c.value)))
            case Entity.PARAM:
                conditions.append(map_condition(LoggedModel.params, c))
            case Entity.TAG:
                conditions.append(map_condition(LoggedModel.tags, c))
            case Entity.METRIC:
                conditions.append(metrics.condition(c, datasets))
            case _:  # the dialect admits no other entity
                raise invalid("filter", f"cannot filter logged models by {c.key!r}")
    return conditions


def order_clauses(order_by: list[dict[str, Any]]) -> list[ColumnElement[Any]]:
    """The request's [{"field_name", "ascending"}], then MLflow's tie-breakers: newest first,
    then the model id. Models without the field come last either way, as in MLflow."""
    clauses: list[ColumnElement[Any]] = []
    named: set[str] = set()
    for item in order_by:
        name = item.get("field_name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("order_by", "Each order_by entry needs a field_name")
        name = name.strip()
        ascending = item.get("ascending", True)
        if not isinstance(ascending, bool):
            raise invalid("order_by", f"ascending must be true or false for {name!r}")
        if name.startswith("metrics."):
            raise invalid("order_by", _NO_METRIC_ORDER.format(name.removeprefix("metrics.")))
        if name not in _ATTRIBUTE_COLUMNS:
            valid = sorted(_ATTRIBUTE_COLUMNS)
            raise invalid("order_by", f"Invalid order by field name {name[:40]!r}; one of {valid}")
        column = _ATTRIBUTE_COLUMNS[name]
        ordered = direction(column, ascending)
        clauses.append(ordered.nulls_last() if column.nullable else ordered)
        named.add(column.key)
    if "created_ms" not in named:
        clauses.append(LoggedModel.created_ms.desc())
    if "id" not in named:
        clauses.append(LoggedModel.id.asc())
    return clauses

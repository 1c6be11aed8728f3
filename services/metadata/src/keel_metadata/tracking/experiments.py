"""Experiments: numbered per workspace, "0" being the workspace's Default experiment,
created when first used. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.base import tag_map
from keel_common.contracts.mlflow.experiments import (
    CreateExperiment,
    SearchExperiments,
    ViewType,
)
from keel_common.errors import (
    AlreadyExists,
    FieldIssue,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from keel_metadata.scope import Scope
from keel_metadata.tracking.experiment_search import order_clauses, where_clauses
from keel_metadata.tracking.models import ACTIVE, DELETED, Experiment
from keel_metadata.tracking.tokens import now_ms, offset_of, token_for

DEFAULT_NAME = "Default"


# Resolved by the client against its tracking URI, which names the workspace.
ARTIFACT_ROOT = "mlflow-artifacts:/"


def artifact_location(number: int) -> str:
    return f"{ARTIFACT_ROOT}{number}"


# Workspaces whose Default experiment this process has seen committed: the check is then
# skipped (it cannot go away: the Default experiment is never deleted).
_HAVE_DEFAULT: set[uuid.UUID] = set()


async def _ensure_default(session: AsyncSession, workspace_id: uuid.UUID) -> None:
    if workspace_id in _HAVE_DEFAULT:
        return
    now = now_ms()
    made = await session.execute(
        insert(Experiment)
        .values(
            id=uuid.uuid4(),
            workspace_id=workspace_id,
            number=0,
            name=DEFAULT_NAME,
            artifact_location=artifact_location(0),
            lifecycle_stage=ACTIVE,
            tags={},
            creation_time=now,
            last_update_time=now,
        )
        .on_conflict_do_nothing()
        .returning(Experiment.id)
    )
    if made.first() is None:
        # Someone else's committed row; one this transaction made might yet roll back.
        _HAVE_DEFAULT.add(workspace_id)


# How often a create tries the next number when concurrent creates keep taking it first.
_NUMBER_ATTEMPTS = 50


async def create(session: AsyncSession, scope: Scope, request: CreateExperiment) -> Experiment:
    """Numbered after the workspace's highest number, optimistically: the insert inserts
    nothing when it clashes on the name (already exists) or on the number (a concurrent
    create took it first: try the next one). Numbers stay gapless and in order of creation,
    and an uncontended create is one statement."""
    await _ensure_default(session, scope.workspace_id)
    for _ in range(_NUMBER_ATTEMPTS):
        experiment = await _insert_numbered(session, scope, request)
        if experiment is not None:
            return experiment
        if await _by_name(session, scope.workspace_id, request.name) is not None:
            raise AlreadyExists(
                f"an experiment named {request.name!r} already exists",
                errors=[FieldIssue(field="name", reason="already taken in this workspace")],
            )
    raise ServiceUnavailable("too many experiments are being created in this workspace at once")


async def _insert_numbered(
    session: AsyncSession, scope: Scope, request: CreateExperiment
) -> Experiment | None:
    number = (
        select(func.coalesce(func.max(Experiment.number), 0) + 1)
        .where(Experiment.workspace_id == scope.workspace_id)
        .scalar_subquery()
    )
    now = now_ms()
    made = await session.scalars(
        insert(Experiment)
        .values(
            id=uuid.uuid4(),
            workspace_id=scope.workspace_id,
            number=number,
            name=request.name,
            artifact_location=func.concat(ARTIFACT_ROOT, number),
            lifecycle_stage=ACTIVE,
            tags=tag_map(request.tags),
            creation_time=now,
            last_update_time=now,
        )
        .on_conflict_do_nothing()
        .returning(Experiment)
    )
    return made.first()


async def _by_name(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Experiment | None:
    query = select(Experiment).where(
        Experiment.workspace_id == workspace_id, Experiment.name == name
    )
    return (await session.execute(query)).scalar_one_or_none()


async def by_name(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Experiment:
    if name == DEFAULT_NAME:
        await _ensure_default(session, workspace_id)
    found = await _by_name(session, workspace_id, name)
    if found is None:
        raise NotFound(f"no experiment named {name!r}", field="experiment_name")
    return found


async def by_number(
    session: AsyncSession, workspace_id: uuid.UUID, number: str, *, lock: bool = False
) -> Experiment:
    if number == "0":
        await _ensure_default(session, workspace_id)
    query = select(Experiment).where(
        Experiment.workspace_id == workspace_id, Experiment.number == int(number)
    )
    found = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no experiment with id {number}", field="experiment_id")
    return found


async def active(session: AsyncSession, workspace_id: uuid.UUID, number: str) -> Experiment:
    """An experiment new runs may go into."""
    found = await by_number(session, workspace_id, number)
    if found.lifecycle_stage != ACTIVE:
        raise InvalidInput(
            f"experiment {number} is deleted; restore it first",
            errors=[FieldIssue(field="experiment_id", reason="the experiment is deleted")],
        )
    return found


def stages(view: ViewType) -> list[str]:
    return {"ACTIVE_ONLY": [ACTIVE], "DELETED_ONLY": [DELETED], "ALL": [ACTIVE, DELETED]}[view]


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchExperiments
) -> tuple[Sequence[Experiment], str | None]:
    await _ensure_default(session, workspace_id)
    offset = offset_of(request.page_token)
    query = (
        select(Experiment)
        .where(
            Experiment.workspace_id == workspace_id,
            Experiment.lifecycle_stage.in_(stages(request.view_type)),
            *where_clauses(request.filter),
        )
        .order_by(*order_clauses(request.order_by))
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).scalars().all()
    more = len(found) > request.max_results
    return found[: request.max_results], token_for(offset + request.max_results) if more else None


async def rename(session: AsyncSession, scope: Scope, number: str, new_name: str) -> None:
    experiment = await by_number(session, scope.workspace_id, number, lock=True)
    if new_name != experiment.name and await _by_name(session, scope.workspace_id, new_name):
        raise AlreadyExists(
            f"an experiment named {new_name!r} already exists",
            errors=[FieldIssue(field="new_name", reason="already taken in this workspace")],
        )
    experiment.name = new_name
    experiment.last_update_time = now_ms()


async def set_stage(session: AsyncSession, scope: Scope, number: str, stage: str) -> uuid.UUID:
    """Delete (soft, like MLflow: restorable) or restore. Returns the experiment's id so
    the caller can make its runs follow."""
    experiment = await by_number(session, scope.workspace_id, number, lock=True)
    if number == "0" and stage == DELETED:
        raise InvalidInput(
            "the Default experiment cannot be deleted",
            errors=[FieldIssue(field="experiment_id", reason="is the Default experiment")],
        )
    experiment.lifecycle_stage = stage
    experiment.last_update_time = now_ms()
    return experiment.id


async def set_tag(session: AsyncSession, scope: Scope, number: str, key: str, value: str) -> None:
    experiment = await by_number(session, scope.workspace_id, number, lock=True)
    experiment.tags = {**experiment.tags, key: value}


async def delete_tag(session: AsyncSession, scope: Scope, number: str, key: str) -> None:
    experiment = await by_number(session, scope.workspace_id, number, lock=True)
    if key not in experiment.tags:
        raise NotFound(f"experiment {number} has no tag {key!r}", field="key")
    experiment.tags = {k: v for k, v in experiment.tags.items() if k != key}

"""The model registry: versions, stages, aliases. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.base import Envelope
from keel_common.contracts.registry import (
    CreateModelVersion,
    ModelAliasMoved,
    ModelVersionCreated,
    ModelVersionStageChanged,
    Stage,
)
from keel_common.errors import InvalidInput, NotFound
from keel_common.outbox.writer import publish_after_commit
from keel_metadata.artifacts import service as artifacts
from keel_metadata.registry.models import (
    Model,
    ModelAlias,
    ModelVersion,
    ModelVersionArtifact,
    StageChange,
)
from keel_metadata.runs import repository as runs
from keel_metadata.scope import METADATA_EVENTS, Scope


@dataclass
class VersionFacts:
    """What a version view shows beside the row, loaded for many versions at once."""

    aliases: dict[uuid.UUID, list[str]] = field(default_factory=lambda: defaultdict(list))
    artifacts: dict[uuid.UUID, dict[str, list[uuid.UUID]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    history: dict[uuid.UUID, list[StageChange]] = field(default_factory=lambda: defaultdict(list))


async def model_named(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, *, lock: bool = False
) -> Model:
    query = select(Model).where(Model.workspace_id == workspace_id, Model.name == name)
    found = (await session.execute(query.with_for_update() if lock else query)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no model named {name!r} in this workspace", field="model")
    return found


async def create_version(
    session: AsyncSession, scope: Scope, request: CreateModelVersion
) -> tuple[Model, ModelVersion]:
    if (
        request.run_id is not None
        and await runs.run(session, scope.workspace_id, request.run_id) is None
    ):
        raise InvalidInput(f"no run {request.run_id} in this workspace", field="run_id")
    linked = [(role, i) for role, ids in request.artifacts.items() for i in ids]
    if linked:
        await artifacts.require_versions(session, scope, [i for _, i in linked])
    await session.execute(
        insert(Model)
        .values(id=uuid.uuid4(), workspace_id=scope.workspace_id, name=request.model)
        .on_conflict_do_nothing(index_elements=["workspace_id", "name"])
    )
    model, version = await add_version(
        session,
        scope,
        request.model,
        name=request.name,
        description=request.description,
        run_id=request.run_id,
        tags=sorted(set(request.tags)),
    )
    if linked:
        await session.execute(
            insert(ModelVersionArtifact)
            .values(
                [
                    {"model_version_id": version.id, "artifact_version_id": i, "role": role}
                    for role, i in linked
                ]
            )
            .on_conflict_do_nothing()
        )
    return model, version


async def add_version(
    session: AsyncSession, scope: Scope, model_name: str, **columns: Any
) -> tuple[Model, ModelVersion]:
    """The model's next numbered version (the model must exist), announced as
    `model_version.created` — for the native API and MLflow's alike."""
    model = await model_named(session, scope.workspace_id, model_name, lock=True)
    number = model.latest_version + 1
    version = ModelVersion(
        workspace_id=scope.workspace_id,
        model_id=model.id,
        number=number,
        created_by=scope.actor,
        **columns,
    )
    session.add(version)
    await session.execute(
        update(Model)
        .where(Model.id == model.id)
        .values(latest_version=number, updated_at=func.now())
    )
    await session.flush()
    event = ModelVersionCreated(model=model.name, model_version_id=version.id, number=number)
    await _emit(session, scope, event, model.id)
    return model, version


async def _emit(
    session: AsyncSession,
    scope: Scope,
    event: ModelVersionCreated | ModelVersionStageChanged | ModelAliasMoved,
    model_id: uuid.UUID,
) -> None:
    envelope = Envelope.wrap(event, workspace=scope.workspace_id, actor=scope.actor)
    await publish_after_commit(session, METADATA_EVENTS, envelope, key=str(model_id))


async def version(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    model_name: str,
    *,
    number: int | None = None,
    alias: str | None = None,
    lock: bool = False,
) -> tuple[Model, ModelVersion]:
    model = await model_named(session, workspace_id, model_name)
    if (number is None) == (alias is None):
        raise InvalidInput("name the version by number or by alias", field="number")
    query = select(ModelVersion).where(ModelVersion.model_id == model.id)
    if alias is not None:
        query = query.join(ModelAlias, ModelAlias.model_version_id == ModelVersion.id).where(
            ModelAlias.model_id == model.id, ModelAlias.alias == alias
        )
    else:
        query = query.where(ModelVersion.number == number)
    found = (
        await session.execute(query.with_for_update(of=ModelVersion) if lock else query)
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"model {model_name!r} has no version {alias or number}")
    return model, found


async def set_stage(
    session: AsyncSession,
    scope: Scope,
    model_name: str,
    number: int,
    stage: Stage,
    *,
    archive_others: bool = False,
) -> tuple[Model, ModelVersion]:
    model, target = await version(session, scope.workspace_id, model_name, number=number, lock=True)
    moves: list[tuple[ModelVersion, Stage]] = [(target, stage)]
    if archive_others and stage in ("staging", "production"):
        others = (
            await session.execute(
                select(ModelVersion)
                .where(
                    ModelVersion.model_id == model.id,
                    ModelVersion.stage == stage,
                    ModelVersion.id != target.id,
                )
                .with_for_update()
            )
        ).scalars()
        moves += [(other, "archived") for other in others]
    for moved, to_stage in moves:
        if moved.stage == to_stage:
            continue
        session.add(
            StageChange(
                model_version_id=moved.id,
                from_stage=moved.stage,
                to_stage=to_stage,
                changed_by=scope.actor,
            )
        )
        event = ModelVersionStageChanged(
            model=model.name,
            model_version_id=moved.id,
            number=moved.number,
            from_stage=moved.stage,
            to_stage=to_stage,
        )
        await _emit(session, scope, event, model.id)
        moved.stage = to_stage
        moved.updated_at = func.now()
    await session.flush()
    return model, target


async def set_alias(
    session: AsyncSession, scope: Scope, model_name: str, alias: str, number: int | None
) -> Model:
    """Point `alias` at version `number` (moving it), or remove it when `number` is None;
    announced as `model_alias.moved` either way."""
    model = await model_named(session, scope.workspace_id, model_name, lock=True)
    if number is None:
        removed = await session.execute(
            delete(ModelAlias)
            .where(ModelAlias.model_id == model.id, ModelAlias.alias == alias)
            .returning(ModelAlias.alias)
        )
        if removed.first() is not None:
            event = ModelAliasMoved(model=model.name, alias=alias)
            await _emit(session, scope, event, model.id)
        return model
    _, target = await version(session, scope.workspace_id, model_name, number=number)
    statement = insert(ModelAlias).values(
        model_id=model.id, alias=alias, model_version_id=target.id
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["model_id", "alias"], set_={"model_version_id": target.id}
        )
    )
    event = ModelAliasMoved(
        model=model.name, alias=alias, model_version_id=target.id, number=target.number
    )
    await _emit(session, scope, event, model.id)
    return model


async def versions(
    session: AsyncSession, workspace_id: uuid.UUID, model_name: str
) -> tuple[Model, Sequence[ModelVersion]]:
    model = await model_named(session, workspace_id, model_name)
    query = (
        select(ModelVersion)
        .where(ModelVersion.model_id == model.id)
        .order_by(ModelVersion.number.desc())
    )
    return model, (await session.execute(query)).scalars().all()


async def models(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Model]:
    query = select(Model).where(Model.workspace_id == workspace_id).order_by(Model.name)
    return (await session.execute(query)).scalars().all()


async def facts(session: AsyncSession, version_ids: list[uuid.UUID]) -> VersionFacts:
    """Aliases, linked artifacts and stage history of many versions: three queries."""
    found = VersionFacts()
    for alias in (
        await session.execute(
            select(ModelAlias)
            .where(ModelAlias.model_version_id.in_(version_ids))
            .order_by(ModelAlias.alias)
        )
    ).scalars():
        found.aliases[alias.model_version_id].append(alias.alias)
    for link in (
        await session.execute(
            select(ModelVersionArtifact).where(
                ModelVersionArtifact.model_version_id.in_(version_ids)
            )
        )
    ).scalars():
        found.artifacts[link.model_version_id][link.role].append(link.artifact_version_id)
    for change in (
        await session.execute(
            select(StageChange)
            .where(StageChange.model_version_id.in_(version_ids))
            .order_by(StageChange.changed_at)
        )
    ).scalars():
        found.history[change.model_version_id].append(change)
    return found

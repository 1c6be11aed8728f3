"""MLflow's registry calls over Keel's model registry (`keel_metadata.registry`): the same
rows, and stage, alias and version changes go through the registry's own functions so they
are announced by the same events. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.registry import CreateModelVersion, CreateRegisteredModel
from keel_common.contracts.registry import Stage
from keel_common.errors import AlreadyExists, FieldIssue, InvalidInput, NotFound
from keel_metadata.logged_models import service as logged_models
from keel_metadata.registry import service as registry
from keel_metadata.registry.models import Model, ModelAlias, ModelVersion
from keel_metadata.scope import Scope
from keel_metadata.tracking import runs

STAGES: dict[str, Stage] = {
    "none": "none",
    "staging": "staging",
    "production": "production",
    "archived": "archived",
}


def keel_stage(mlflow_stage: str) -> Stage:
    stage = STAGES.get(mlflow_stage.lower())
    if stage is None:
        raise InvalidInput(
            f"invalid model version stage {mlflow_stage!r}: use None, Staging, Production "
            "or Archived",
            errors=[FieldIssue(field="stage", reason="not a stage")],
        )
    return stage


async def create_model(
    session: AsyncSession, scope: Scope, request: CreateRegisteredModel
) -> Model:
    if await _find(session, scope.workspace_id, request.name) is not None:
        raise AlreadyExists(
            f"Registered Model (name={request.name}) already exists.",
            errors=[FieldIssue(field="name", reason="already taken in this workspace")],
        )
    model = Model(
        workspace_id=scope.workspace_id,
        name=request.name,
        latest_version=0,
        tags=[],
        description=request.description or "",
        properties={t.key: t.value for t in request.tags},
    )
    session.add(model)
    await session.flush()
    return model


async def _find(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Model | None:
    query = select(Model).where(Model.workspace_id == workspace_id, Model.name == name)
    return (await session.execute(query)).scalar_one_or_none()


async def model(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, *, lock: bool = False
) -> Model:
    try:
        return await registry.model_named(session, workspace_id, name, lock=lock)
    except NotFound:
        raise NotFound(f"Registered Model with name={name} not found", field="name") from None


async def rename(session: AsyncSession, scope: Scope, name: str, new_name: str) -> Model:
    found = await model(session, scope.workspace_id, name, lock=True)
    if new_name != name and await _find(session, scope.workspace_id, new_name) is not None:
        raise AlreadyExists(
            f"Registered Model (name={new_name}) already exists.",
            errors=[FieldIssue(field="new_name", reason="already taken in this workspace")],
        )
    found.name = new_name
    found.updated_at = func.now()
    try:
        await session.flush()
    except IntegrityError:  # renamed to the same new name at the same moment
        raise AlreadyExists(f"Registered Model (name={new_name}) already exists.") from None
    await session.refresh(found)
    return found


async def describe(session: AsyncSession, scope: Scope, name: str, description: str) -> Model:
    found = await model(session, scope.workspace_id, name, lock=True)
    found.description = description
    found.updated_at = func.now()
    await session.flush()
    await session.refresh(found)
    return found


async def delete_model(session: AsyncSession, scope: Scope, name: str) -> None:
    found = await model(session, scope.workspace_id, name, lock=True)
    await session.execute(delete(Model).where(Model.id == found.id))


async def set_model_tag(
    session: AsyncSession, scope: Scope, name: str, key: str, value: str | None
) -> None:
    """Set, or delete when `value` is None."""
    found = await model(session, scope.workspace_id, name, lock=True)
    if value is None and key not in found.properties:
        raise NotFound(f"registered model {name!r} has no tag {key!r}", field="key")
    found.properties = _with(found.properties, key, value)
    found.updated_at = func.now()


def _with(tags: dict[str, str], key: str, value: str | None) -> dict[str, str]:
    kept = {k: v for k, v in tags.items() if k != key}
    return kept if value is None else {**kept, key: value}


async def create_version(
    session: AsyncSession, scope: Scope, request: CreateModelVersion
) -> tuple[Model, ModelVersion]:
    await model(session, scope.workspace_id, request.name)
    if request.run_id:
        await runs.get(session, scope.workspace_id, request.run_id)
    logged_model_id = request.model_id or _logged_model_in(request.source)
    if logged_model_id:
        await logged_models.get(session, scope.workspace_id, logged_model_id)
    return await registry.add_version(
        session,
        scope,
        request.name,
        description=request.description or "",
        tags=[],
        source=request.source,
        mlflow_run_id=request.run_id or None,
        logged_model_id=logged_model_id,
        properties={t.key: t.value for t in request.tags},
    )


def _logged_model_in(source: str) -> str | None:
    """`models:/m-<hex>` names a logged model; registry URIs (`models:/name/1`) do not."""
    if source.startswith("models:/m-") and "/" not in source.removeprefix("models:/"):
        return source.removeprefix("models:/")
    return None


async def version(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    name: str,
    number: str,
    *,
    lock: bool = False,
) -> tuple[Model, ModelVersion]:
    await model(session, workspace_id, name)
    try:
        return await registry.version(session, workspace_id, name, number=int(number), lock=lock)
    except NotFound:
        raise NotFound(
            f"Model Version (name={name}, version={number}) not found", field="version"
        ) from None


async def by_alias(
    session: AsyncSession, workspace_id: uuid.UUID, name: str, alias: str
) -> tuple[Model, ModelVersion]:
    await model(session, workspace_id, name)
    try:
        return await registry.version(session, workspace_id, name, alias=alias)
    except NotFound:
        raise NotFound(
            f"Registered model alias {alias} not found for model {name}", field="alias"
        ) from None


async def describe_version(
    session: AsyncSession, scope: Scope, name: str, number: str, description: str
) -> tuple[Model, ModelVersion]:
    found, target = await version(session, scope.workspace_id, name, number, lock=True)
    target.description = description
    target.updated_at = func.now()
    await session.flush()
    await session.refresh(target)
    return found, target


async def delete_version(session: AsyncSession, scope: Scope, name: str, number: str) -> None:
    _, target = await version(session, scope.workspace_id, name, number, lock=True)
    await session.execute(delete(ModelVersion).where(ModelVersion.id == target.id))


async def set_version_tag(
    session: AsyncSession, scope: Scope, name: str, number: str, *, key: str, value: str | None
) -> None:
    _, target = await version(session, scope.workspace_id, name, number, lock=True)
    if value is None and key not in target.properties:
        raise NotFound(f"model version {name}/{number} has no tag {key!r}", field="key")
    await session.execute(
        update(ModelVersion)
        .where(ModelVersion.id == target.id)
        .values(properties=_with(target.properties, key, value), updated_at=func.now())
    )


async def latest_versions(
    session: AsyncSession, model_ids: list[uuid.UUID], stages: list[Stage] | None = None
) -> dict[uuid.UUID, list[ModelVersion]]:
    """The newest version in each stage, per model (what MLflow calls latest versions)."""
    query = (
        select(ModelVersion)
        .distinct(ModelVersion.model_id, ModelVersion.stage)
        .where(ModelVersion.model_id.in_(model_ids))
        .order_by(ModelVersion.model_id, ModelVersion.stage, ModelVersion.number.desc())
    )
    if stages:
        query = query.where(ModelVersion.stage.in_(stages))
    found: dict[uuid.UUID, list[ModelVersion]] = {i: [] for i in model_ids}
    for row in (await session.execute(query)).scalars():
        found[row.model_id].append(row)
    return found


async def aliases(
    session: AsyncSession, model_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str, int]]]:
    query = (
        select(ModelAlias.model_id, ModelAlias.alias, ModelVersion.number)
        .join(ModelVersion, ModelVersion.id == ModelAlias.model_version_id)
        .where(ModelAlias.model_id.in_(model_ids))
        .order_by(ModelAlias.alias)
    )
    found: dict[uuid.UUID, list[tuple[str, int]]] = {i: [] for i in model_ids}
    for model_id, alias, number in (await session.execute(query)).tuples():
        found[model_id].append((alias, number))
    return found


async def download_uri(session: AsyncSession, workspace_id: uuid.UUID, target: ModelVersion) -> str:
    """Where the version's files are: its logged model's artifacts, a run's artifact
    path for `runs:/<id>/<path>`, or the source itself."""
    if target.logged_model_id:
        found, _ = await logged_models.get(session, workspace_id, target.logged_model_id)
        return found.artifact_uri
    source = target.source or ""
    if source.startswith("runs:/"):
        run_id, _, path = source.removeprefix("runs:/").partition("/")
        run, _ = await runs.get(session, workspace_id, run_id)
        return f"{run.artifact_uri}/{path}".rstrip("/")
    return source


def ids(models: Sequence[Model]) -> list[uuid.UUID]:
    return [m.id for m in models]

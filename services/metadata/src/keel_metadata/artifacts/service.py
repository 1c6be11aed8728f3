"""Artifact versions and step inputs. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.metadata import (
    ArtifactOutput,
)
from keel_common.errors import InvalidInput, NotFound
from keel_common.paging import decode_cursor, encode_cursor
from keel_metadata.artifacts.models import Artifact, ArtifactVersion, StepInput
from keel_metadata.runs.models import StepRun
from keel_metadata.scope import Scope


async def register(
    session: AsyncSession, scope: Scope, output: ArtifactOutput, producer: StepRun | None
) -> ArtifactVersion:
    """A new version of `output.artifact`; the same version id registered again is the
    version already there (a replayed event)."""
    if output.artifact_version_id is not None:
        existing = await session.get(ArtifactVersion, output.artifact_version_id)
        if existing is not None:
            if existing.workspace_id != scope.workspace_id:
                raise InvalidInput("the artifact version id is taken", field="artifact_version_id")
            return existing
    await session.execute(
        insert(Artifact)
        .values(id=uuid.uuid4(), workspace_id=scope.workspace_id, name=output.artifact)
        .on_conflict_do_nothing(index_elements=["workspace_id", "name"])
    )
    # The artifact's row lock numbers versions one at a time.
    artifact = (
        await session.execute(
            select(Artifact)
            .where(Artifact.workspace_id == scope.workspace_id, Artifact.name == output.artifact)
            .with_for_update()
        )
    ).scalar_one()
    number = artifact.latest_version + 1
    version = ArtifactVersion(
        id=output.artifact_version_id or uuid.uuid4(),
        workspace_id=scope.workspace_id,
        artifact_id=artifact.id,
        version=number,
        uri=output.uri,
        type=output.type,
        data_type=output.data_type,
        materializer=output.materializer,
        size=output.size,
        content_hash=output.content_hash,
        visualizations=output.visualizations,
        tags=sorted(set(output.tags)),
        output=output.output,
        producer_step_id=producer.id if producer else None,
        producer_run_id=producer.run_id if producer else None,
    )
    session.add(version)
    await session.execute(
        update(Artifact).where(Artifact.id == artifact.id).values(latest_version=number)
    )
    await session.flush()
    return version


async def record_inputs(
    session: AsyncSession, scope: Scope, step: StepRun, inputs: dict[str, uuid.UUID]
) -> None:
    if not inputs:
        return
    await _require_versions(session, scope, list(inputs.values()), field="inputs")
    await session.execute(
        insert(StepInput)
        .values(
            [{"step_id": step.id, "name": n, "artifact_version_id": v} for n, v in inputs.items()]
        )
        .on_conflict_do_nothing(index_elements=["step_id", "name"])
    )


async def _require_versions(
    session: AsyncSession, scope: Scope, ids: list[uuid.UUID], *, field: str
) -> None:
    found = set(
        (
            await session.execute(
                select(ArtifactVersion.id).where(
                    ArtifactVersion.id.in_(ids), ArtifactVersion.workspace_id == scope.workspace_id
                )
            )
        ).scalars()
    )
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise InvalidInput(f"unknown artifact versions: {', '.join(missing)}", field=field)


async def require_versions(session: AsyncSession, scope: Scope, ids: list[uuid.UUID]) -> None:
    await _require_versions(session, scope, ids, field="artifacts")


async def get(
    session: AsyncSession, workspace_id: uuid.UUID, version_id: uuid.UUID
) -> tuple[ArtifactVersion, str]:
    found = (
        await session.execute(
            select(ArtifactVersion, Artifact.name)
            .join(Artifact, Artifact.id == ArtifactVersion.artifact_id)
            .where(ArtifactVersion.id == version_id, ArtifactVersion.workspace_id == workspace_id)
        )
    ).one_or_none()
    if found is None:
        raise NotFound("no such artifact version in this workspace")
    return found[0], found[1]


async def listed(
    session: AsyncSession, workspace_id: uuid.UUID, artifact: str, limit: int, cursor: str | None
) -> tuple[Sequence[ArtifactVersion], str | None]:
    """Versions of one artifact, newest first."""
    query = (
        select(ArtifactVersion)
        .join(Artifact, Artifact.id == ArtifactVersion.artifact_id)
        .where(Artifact.workspace_id == workspace_id, Artifact.name == artifact)
    )
    if cursor is not None:
        [before] = decode_cursor(cursor, 1)
        if not isinstance(before, int):
            raise InvalidInput("the cursor is not one this API returned", field="cursor")
        query = query.where(ArtifactVersion.version < before)
    rows: Sequence[Any] = (
        (await session.execute(query.order_by(ArtifactVersion.version.desc()).limit(limit + 1)))
        .scalars()
        .all()
    )
    items = rows[:limit]
    more = len(rows) > limit
    return items, (encode_cursor([items[-1].version]) if more else None)

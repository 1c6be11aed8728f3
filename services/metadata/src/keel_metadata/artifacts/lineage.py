"""Upstream lineage in one recursive query: artifact version -> the step that produced it
-> that step's inputs -> their producers..., up to `depth` steps back."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from keel_metadata.artifacts.models import Artifact, ArtifactVersion, StepInput
from keel_metadata.runs.models import StepRun

UPSTREAM = text(
    """
    WITH RECURSIVE up(id, depth) AS (
        SELECT unnest(CAST(:start AS uuid[])), 0
      UNION
        SELECT si.artifact_version_id, up.depth + 1
        FROM up
        JOIN artifact_versions av ON av.id = up.id
        JOIN step_inputs si ON si.step_id = av.producer_step_id
        WHERE up.depth < :depth
    )
    SELECT DISTINCT id FROM up
    """
)


@dataclass(frozen=True)
class Lineage:
    versions: list[tuple[ArtifactVersion, str]]
    steps: list[StepRun]
    inputs: dict[uuid.UUID, list[uuid.UUID]]
    outputs: dict[uuid.UUID, list[uuid.UUID]]


async def upstream(
    session: AsyncSession, workspace_id: uuid.UUID, start: list[uuid.UUID], depth: int
) -> Lineage:
    ids = list((await session.execute(UPSTREAM, {"start": start, "depth": depth})).scalars())
    versions = [
        (row[0], row[1])
        for row in await session.execute(
            select(ArtifactVersion, Artifact.name)
            .join(Artifact, Artifact.id == ArtifactVersion.artifact_id)
            .where(ArtifactVersion.id.in_(ids), ArtifactVersion.workspace_id == workspace_id)
            .order_by(ArtifactVersion.created_at)
        )
    ]
    step_ids = {v.producer_step_id for v, _ in versions if v.producer_step_id is not None}
    steps = list((await session.execute(select(StepRun).where(StepRun.id.in_(step_ids)))).scalars())
    inputs: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for step_id, version_id in await session.execute(
        select(StepInput.step_id, StepInput.artifact_version_id).where(
            StepInput.step_id.in_(step_ids)
        )
    ):
        inputs[step_id].append(version_id)
    outputs: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for version, _ in versions:
        if version.producer_step_id is not None:
            outputs[version.producer_step_id].append(version.id)
    return Lineage(versions, steps, dict(inputs), dict(outputs))

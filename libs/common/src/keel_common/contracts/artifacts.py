"""Messages of the metadata service about artifact versions and their lineage."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from keel_common.contracts.base import Contract
from keel_common.contracts.metadata import ArtifactOutput, Name, StepStatus


class RegisterArtifactVersion(Contract):
    TYPE: ClassVar[str] = "keel.metadata.register_artifact_version"
    version: ArtifactOutput
    # The step run that produced it, if any (lineage starts there).
    run_id: uuid.UUID | None = None
    step: Name | None = None


class ArtifactVersionView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.artifact_version"
    id: uuid.UUID
    artifact: str
    version: int
    uri: str
    type: str
    data_type: str | None
    materializer: str | None
    size: int | None
    content_hash: str | None
    visualizations: list[str]
    tags: list[str]
    output: str
    producer_step_id: uuid.UUID | None
    producer_run_id: uuid.UUID | None
    created_at: datetime


class GetArtifactVersion(Contract):
    TYPE: ClassVar[str] = "keel.metadata.get_artifact_version"
    artifact_version_id: uuid.UUID


class ListArtifactVersions(Contract):
    TYPE: ClassVar[str] = "keel.metadata.list_artifact_versions"
    artifact: Name
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500)


class ArtifactVersionList(Contract):
    TYPE: ClassVar[str] = "keel.metadata.artifact_version_list"
    items: list[ArtifactVersionView]
    next_cursor: str | None = None


class GetLineage(Contract):
    """Upstream of an artifact version (or of a model version's artifacts): the producing
    steps and runs, their inputs, and so on, `depth` hops back."""

    TYPE: ClassVar[str] = "keel.metadata.get_lineage"
    artifact_version_id: uuid.UUID | None = None
    model_version_id: uuid.UUID | None = None
    depth: int = Field(default=5, ge=1, le=20)


class LineageStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: uuid.UUID
    run_id: uuid.UUID
    name: str
    status: StepStatus
    inputs: list[uuid.UUID]
    outputs: list[uuid.UUID]


class LineageGraph(Contract):
    TYPE: ClassVar[str] = "keel.metadata.lineage"
    artifact_versions: list[ArtifactVersionView]
    steps: list[LineageStep]

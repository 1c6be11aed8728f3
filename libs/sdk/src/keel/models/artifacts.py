"""Artifact versions (what steps produced) and the lineage that links them to runs."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from keel.models.base import Resource


class ArtifactOutput(Resource):
    """An artifact version a step produced, as the step reports it when it finishes. The
    bytes stay where `uri` points: Keel keeps the URI, never the artifact."""

    artifact: str
    uri: str
    output: str = "output"
    type: str = "data"
    data_type: str | None = None
    materializer: str | None = None
    size: int | None = None
    content_hash: str | None = None
    tags: list[str] = Field(default_factory=list)


class ArtifactVersion(Resource):
    id: uuid.UUID
    artifact: str
    version: int
    uri: str
    type: str
    data_type: str | None
    materializer: str | None
    size: int | None
    content_hash: str | None
    tags: list[str]
    output: str
    producer_step_id: uuid.UUID | None
    producer_run_id: uuid.UUID | None
    created_at: datetime


class LineageStep(Resource):
    id: uuid.UUID
    run_id: uuid.UUID
    name: str
    status: str
    inputs: list[uuid.UUID]
    outputs: list[uuid.UUID]


class Lineage(Resource):
    """Upstream of an artifact or model version: the steps that made it, what they read."""

    artifact_versions: list[ArtifactVersion]
    steps: list[LineageStep]

"""The model registry: models and their numbered versions."""

from __future__ import annotations

import uuid
from datetime import datetime

from keel.models.base import Resource


class Model(Resource):
    id: uuid.UUID
    name: str
    latest_version: int | None
    created_at: datetime


class StageChange(Resource):
    from_stage: str
    to_stage: str
    changed_by: str
    changed_at: datetime


class ModelVersion(Resource):
    id: uuid.UUID
    model: str
    number: int
    name: str | None
    description: str
    stage: str
    aliases: list[str]
    run_id: uuid.UUID | None
    artifacts: dict[str, list[uuid.UUID]]
    tags: list[str]
    history: list[StageChange]
    created_by: str
    created_at: datetime

"""Stacks, pipelines, runs and their steps."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from keel.models.base import Resource


class StackComponent(Resource):
    type: str
    flavor: str
    name: str
    config: dict[str, Any] = Field(default_factory=dict)
    secret_refs: dict[str, str] = Field(default_factory=dict)


class Stack(Resource):
    id: uuid.UUID
    name: str
    description: str
    components: list[StackComponent]
    created_by: str
    created_at: datetime


class Pipeline(Resource):
    id: uuid.UUID
    name: str
    latest_version: int | None
    created_at: datetime


class Run(Resource):
    id: uuid.UUID
    name: str
    project: str | None
    pipeline_id: uuid.UUID
    pipeline: str
    pipeline_version: int | None
    stack_id: uuid.UUID | None
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    created_by: str
    created_at: datetime
    parameters: dict[str, Any]
    trigger: str
    code_ref: dict[str, Any] | None
    tags: list[str]
    revision: int


class Step(Resource):
    id: uuid.UUID
    run_id: uuid.UUID
    name: str
    status: str
    upstream: list[str]
    cache_key: str | None
    cached_from: uuid.UUID | None
    started_at: datetime | None
    finished_at: datetime | None


class RunDetail(Resource):
    run: Run
    steps: list[Step]

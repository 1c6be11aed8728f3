"""Messages of the metadata service's model registry: versions, stages, aliases."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from keel_common.contracts.base import MAX_DB_INT, Contract
from keel_common.contracts.metadata import Name, Tag

# Models and model versions.

Stage = Literal["none", "staging", "production", "archived"]
Alias = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,62}$")]


class CreateModelVersion(Contract):
    """A new version of the model `model` (created on first use), numbered in order."""

    TYPE: ClassVar[str] = "keel.metadata.create_model_version"
    model: Name
    name: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=2000)
    run_id: uuid.UUID | None = None
    # Artifact versions by role: the model itself, the data it was trained on...
    artifacts: dict[
        Literal["model", "training_data", "evaluation_data", "other"], list[uuid.UUID]
    ] = Field(default_factory=dict)
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class StageChange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    from_stage: Stage
    to_stage: Stage
    changed_by: str
    changed_at: datetime


class ModelVersionView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model_version"
    id: uuid.UUID
    model: str
    number: int
    name: str | None
    description: str
    stage: Stage
    aliases: list[str]
    run_id: uuid.UUID | None
    artifacts: dict[str, list[uuid.UUID]]
    tags: list[str]
    history: list[StageChange]
    created_by: str
    created_at: datetime


class GetModelVersion(Contract):
    """By number, or by alias (`production`, `champion`...)."""

    TYPE: ClassVar[str] = "keel.metadata.get_model_version"
    model: Name
    number: int | None = Field(default=None, ge=1, le=MAX_DB_INT)
    alias: Alias | None = None


class ListModelVersions(Contract):
    TYPE: ClassVar[str] = "keel.metadata.list_model_versions"
    model: Name


class ModelVersionList(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model_version_list"
    items: list[ModelVersionView]


class SetModelStage(Contract):
    TYPE: ClassVar[str] = "keel.metadata.set_model_stage"
    model: Name
    number: int = Field(ge=1, le=MAX_DB_INT)
    stage: Stage
    # Move the model's other versions in `stage` to `archived` (one production version).
    archive_others: bool = False


class SetModelAlias(Contract):
    """Point `alias` at a version (moving it from any other), or remove it (number None)."""

    TYPE: ClassVar[str] = "keel.metadata.set_model_alias"
    model: Name
    alias: Alias
    number: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


class ModelView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model"
    id: uuid.UUID
    name: str
    latest_version: int | None
    created_at: datetime
    tags: list[str] = Field(default_factory=list)


class ListModels(Contract):
    TYPE: ClassVar[str] = "keel.metadata.list_models"


class ModelList(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model_list"
    items: list[ModelView]


class ModelVersionCreated(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model_version.created"
    model: str
    model_version_id: uuid.UUID
    number: int


class ModelVersionStageChanged(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model_version.stage_changed"
    model: str
    model_version_id: uuid.UUID
    number: int
    from_stage: Stage
    to_stage: Stage


class ModelAliasMoved(Contract):
    """An alias now points at another version, or (no version) was removed."""

    TYPE: ClassVar[str] = "keel.metadata.model_alias.moved"
    model: str
    alias: str
    model_version_id: uuid.UUID | None = None
    number: int | None = None

"""`/api/v1/workspaces/{workspace_id}/models[...]`: the model registry."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from keel_common.contracts.base import MAX_DB_INT
from keel_common.contracts.metadata import (
    Name,
    Tag,
)
from keel_common.contracts.registry import (
    Alias,
    CreateModelVersion,
    GetModelVersion,
    ListModels,
    ListModelVersions,
    ModelList,
    ModelVersionList,
    ModelVersionView,
    SetModelAlias,
    SetModelStage,
    Stage,
)
from keel_gateway.metadata.needs import ModelPromoter, ModelReader, ModelVersionCreator

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}/models", tags=["models"])

Number = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
ArtifactRole = Literal["model", "training_data", "evaluation_data", "other"]


class NewVersion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, max_length=200)
    description: str = Field(default="", max_length=2000)
    run_id: uuid.UUID | None = None
    artifacts: dict[ArtifactRole, list[uuid.UUID]] = Field(default_factory=dict)
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class StageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: Stage
    archive_others: bool = False


class AliasBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: int | None = Field(ge=1, le=MAX_DB_INT)


@router.get("", response_model=ModelList)
async def list_models(call: ModelReader) -> ModelList:
    return await call.ask(ListModels(), ModelList)


@router.post("/{model}/versions", status_code=201, response_model=ModelVersionView)
async def create_model_version(
    model: Name, body: NewVersion, call: ModelVersionCreator
) -> ModelVersionView:
    """A new numbered version (the model is created with its first version)."""
    request = CreateModelVersion.model_validate({"model": model, **body.model_dump()})
    return await call.ask(request, ModelVersionView)


@router.get("/{model}/versions", response_model=ModelVersionList)
async def list_model_versions(model: Name, call: ModelReader) -> ModelVersionList:
    return await call.ask(ListModelVersions(model=model), ModelVersionList)


@router.get("/{model}/versions/{number}", response_model=ModelVersionView)
async def get_model_version(model: Name, number: Number, call: ModelReader) -> ModelVersionView:
    return await call.ask(GetModelVersion(model=model, number=number), ModelVersionView)


@router.get("/{model}/aliases/{alias}", response_model=ModelVersionView)
async def get_model_version_by_alias(
    model: Name, alias: Alias, call: ModelReader
) -> ModelVersionView:
    return await call.ask(GetModelVersion(model=model, alias=alias), ModelVersionView)


@router.put("/{model}/versions/{number}/stage", response_model=ModelVersionView)
async def set_stage(
    model: Name, number: Number, body: StageBody, call: ModelPromoter
) -> ModelVersionView:
    """Stage changes are kept as history and announced as `model_version.stage_changed`."""
    request = SetModelStage(
        model=model, number=number, stage=body.stage, archive_others=body.archive_others
    )
    return await call.ask(request, ModelVersionView)


@router.put("/{model}/aliases/{alias}", response_model=ModelVersionList)
async def set_alias(
    model: Name, alias: Alias, body: AliasBody, call: ModelPromoter
) -> ModelVersionList:
    """Point the alias at a version (moving it), or remove it with `{"number": null}`."""
    return await call.ask(
        SetModelAlias(model=model, alias=alias, number=body.number), ModelVersionList
    )

"""MLflow 3 logged models: what `mlflow.<flavor>.log_model` creates, uploads into and
finalizes, and what a model version's `models:/m-...` source points at."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from keel_common.contracts.mlflow.base import (
    MAX_RESULTS,
    Entity,
    EntityKey,
    ExperimentId,
    LoggedMetric,
    LoggedModelId,
    MlflowReply,
    MlflowRequest,
    Param,
    RunId,
    Tag,
)

LoggedModelStatus = Literal[
    "LOGGED_MODEL_STATUS_UNSPECIFIED",
    "LOGGED_MODEL_PENDING",
    "LOGGED_MODEL_READY",
    "LOGGED_MODEL_UPLOAD_FAILED",
]


class Registration(Entity):
    name: str
    version: str


class LoggedModelInfo(Entity):
    model_id: str
    experiment_id: str
    name: str
    creation_timestamp_ms: int
    last_updated_timestamp_ms: int
    artifact_uri: str
    status: LoggedModelStatus
    creator_id: int | None = None
    model_type: str | None = None
    source_run_id: str | None = None
    status_message: str | None = None
    tags: list[Tag] = Field(default_factory=list)
    registrations: list[Registration] = Field(default_factory=list)


class LoggedModelData(Entity):
    params: list[Param] = Field(default_factory=list)
    metrics: list[LoggedMetric] = Field(default_factory=list)


class LoggedModel(Entity):
    info: LoggedModelInfo
    data: LoggedModelData


class CreateLoggedModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.create_logged_model"
    experiment_id: ExperimentId
    name: str | None = Field(default=None, max_length=500)
    model_type: str | None = Field(default=None, max_length=500)
    source_run_id: RunId | None = None
    params: list[Param] = Field(default_factory=list, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class LoggedModelReply(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.logged_model"
    model: LoggedModel


class GetLoggedModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_logged_model"
    model_id: LoggedModelId


class FinalizeLoggedModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.finalize_logged_model"
    model_id: LoggedModelId
    status: LoggedModelStatus


class DeleteLoggedModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_logged_model"
    model_id: LoggedModelId


class SetLoggedModelTags(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.set_logged_model_tags"
    model_id: LoggedModelId
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class DeleteLoggedModelTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_logged_model_tag"
    model_id: LoggedModelId
    tag_key: EntityKey


class LogLoggedModelParams(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.log_logged_model_params"
    model_id: LoggedModelId
    params: list[Param] = Field(default_factory=list, max_length=100)


class SearchLoggedModels(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.search_logged_models"
    experiment_ids: list[ExperimentId] = Field(default_factory=list, max_length=100)
    filter: str | None = Field(default=None, max_length=10_000)
    datasets: list[dict[str, Any]] = Field(default_factory=list, max_length=100)
    max_results: int = Field(default=100, ge=1, le=MAX_RESULTS)
    # [{"field_name": "creation_timestamp", "ascending": false}, ...]
    order_by: list[dict[str, Any]] = Field(default_factory=list, max_length=10)
    page_token: str | None = Field(default=None, max_length=200)


class LoggedModelPage(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.logged_model_page"
    models: list[LoggedModel]
    next_page_token: str | None = None

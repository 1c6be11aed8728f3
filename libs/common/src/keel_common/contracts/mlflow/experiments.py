"""MLflow experiments: create, read, search, rename, delete, restore, tags."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from keel_common.contracts.mlflow.base import (
    MAX_EXPERIMENT_NAME,
    MAX_RESULTS,
    Entity,
    EntityKey,
    ExperimentId,
    MlflowReply,
    MlflowRequest,
    Tag,
)

ViewType = Literal["ACTIVE_ONLY", "DELETED_ONLY", "ALL"]
ExperimentName = str


class Experiment(Entity):
    experiment_id: str
    name: str
    artifact_location: str
    lifecycle_stage: str
    last_update_time: int
    creation_time: int
    tags: list[Tag] = Field(default_factory=list)


class CreateExperiment(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.create_experiment"
    name: str = Field(min_length=1, max_length=MAX_EXPERIMENT_NAME)
    # Accepted for compatibility and ignored: artifacts live in the workspace's store.
    artifact_location: str | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class ExperimentCreated(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.experiment_created"
    experiment_id: str


class GetExperiment(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_experiment"
    experiment_id: ExperimentId


class GetExperimentByName(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_experiment_by_name"
    experiment_name: str = Field(min_length=1, max_length=MAX_EXPERIMENT_NAME)


class ExperimentReply(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.experiment"
    experiment: Experiment


class SearchExperiments(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.search_experiments"
    max_results: int = Field(default=1000, ge=1, le=MAX_RESULTS)
    page_token: str | None = Field(default=None, max_length=200)
    filter: str | None = Field(default=None, max_length=10_000)
    order_by: list[str] = Field(default_factory=list, max_length=10)
    view_type: ViewType = "ACTIVE_ONLY"


class ExperimentPage(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.experiment_page"
    experiments: list[Experiment]
    next_page_token: str | None = None


class UpdateExperiment(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.update_experiment"
    experiment_id: ExperimentId
    new_name: str = Field(min_length=1, max_length=MAX_EXPERIMENT_NAME)


class DeleteExperiment(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_experiment"
    experiment_id: ExperimentId


class RestoreExperiment(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.restore_experiment"
    experiment_id: ExperimentId


class SetExperimentTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.set_experiment_tag"
    experiment_id: ExperimentId
    key: EntityKey
    value: str = Field(default="", max_length=5000)


class DeleteExperimentTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_experiment_tag"
    experiment_id: ExperimentId
    key: EntityKey


class Done(MlflowReply):
    """MLflow's empty reply, `{}`."""

    TYPE: ClassVar[str] = "keel.mlflow.done"

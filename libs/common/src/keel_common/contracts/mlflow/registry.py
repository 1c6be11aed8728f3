"""MLflow's model registry. Registered models are Keel's models and their versions are
Keel's model versions: both APIs see the same registry, and stage and alias changes made
through either are announced by the same events."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from keel_common.contracts.mlflow.base import (
    MAX_RESULTS,
    Entity,
    EntityKey,
    MlflowReply,
    MlflowRequest,
    Tag,
)

MlflowStage = Literal["None", "Staging", "Production", "Archived"]


class Alias(Entity):
    alias: str
    version: str


class ModelVersion(Entity):
    name: str
    version: str
    creation_timestamp: int
    last_updated_timestamp: int
    user_id: str | None = None
    current_stage: MlflowStage
    description: str | None = None
    source: str | None = None
    run_id: str | None = None
    status: Literal["READY"] = "READY"
    tags: list[Tag] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    model_id: str | None = None


class RegisteredModel(Entity):
    name: str
    creation_timestamp: int
    last_updated_timestamp: int
    user_id: str | None = None
    description: str | None = None
    latest_versions: list[ModelVersion] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)
    aliases: list[Alias] = Field(default_factory=list)


Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# Keel's model_versions.description column holds 2000 characters.
Description = Annotated[str, StringConstraints(max_length=2000)]
# MLflow sends version numbers as strings.
Number = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,8}$")]


class CreateRegisteredModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.create_registered_model"
    name: Name
    tags: list[Tag] = Field(default_factory=list, max_length=100)
    description: Description | None = None


class RegisteredModelReply(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.registered_model"
    registered_model: RegisteredModel


class GetRegisteredModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_registered_model"
    name: Name


class RenameRegisteredModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.rename_registered_model"
    name: Name
    new_name: Name


class UpdateRegisteredModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.update_registered_model"
    name: Name
    description: Description | None = None


class DeleteRegisteredModel(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_registered_model"
    name: Name


class SearchRegisteredModels(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.search_registered_models"
    filter: str | None = Field(default=None, max_length=10_000)
    max_results: int = Field(default=100, ge=1, le=MAX_RESULTS)
    order_by: list[str] = Field(default_factory=list, max_length=10)
    page_token: str | None = Field(default=None, max_length=200)


class RegisteredModelPage(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.registered_model_page"
    registered_models: list[RegisteredModel]
    next_page_token: str | None = None


class SetRegisteredModelTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.set_registered_model_tag"
    name: Name
    key: EntityKey
    value: str = Field(default="", max_length=5000)


class DeleteRegisteredModelTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_registered_model_tag"
    name: Name
    key: EntityKey


class SetRegisteredModelAlias(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.set_registered_model_alias"
    name: Name
    alias: str = Field(min_length=1, max_length=63, pattern=r"^[\w-]+$")
    version: Number


class DeleteRegisteredModelAlias(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_registered_model_alias"
    name: Name
    alias: str = Field(min_length=1, max_length=63)


class GetModelVersionByAlias(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_model_version_by_alias"
    name: Name
    alias: str = Field(min_length=1, max_length=63)


class GetLatestVersions(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_latest_versions"
    name: Name
    stages: list[MlflowStage] = Field(default_factory=list, max_length=4)


class ModelVersionPage(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.model_version_page"
    model_versions: list[ModelVersion]
    next_page_token: str | None = None


class CreateModelVersion(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.create_model_version"
    name: Name
    source: str = Field(min_length=1, max_length=1000)
    run_id: str | None = Field(default=None, max_length=32)
    tags: list[Tag] = Field(default_factory=list, max_length=100)
    run_link: str | None = Field(default=None, max_length=1000)
    description: Description | None = None
    model_id: str | None = Field(default=None, max_length=40)


class ModelVersionReply(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.model_version"
    model_version: ModelVersion


class GetModelVersion(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_model_version"
    name: Name
    version: Number


class UpdateModelVersion(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.update_model_version"
    name: Name
    version: Number
    description: Description | None = None


class DeleteModelVersion(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_model_version"
    name: Name
    version: Number


class TransitionModelVersionStage(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.transition_model_version_stage"
    name: Name
    version: Number
    stage: str = Field(min_length=1, max_length=20)
    archive_existing_versions: bool = False


class SearchModelVersions(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.search_model_versions"
    filter: str | None = Field(default=None, max_length=10_000)
    max_results: int = Field(default=10_000, ge=1, le=MAX_RESULTS)
    order_by: list[str] = Field(default_factory=list, max_length=10)
    page_token: str | None = Field(default=None, max_length=200)


class SetModelVersionTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.set_model_version_tag"
    name: Name
    version: Number
    key: EntityKey
    value: str = Field(default="", max_length=5000)


class DeleteModelVersionTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_model_version_tag"
    name: Name
    version: Number
    key: EntityKey


class GetDownloadUri(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_model_version_download_uri"
    name: Name
    version: Number


class DownloadUri(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.download_uri"
    artifact_uri: str

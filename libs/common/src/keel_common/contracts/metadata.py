"""Messages of the metadata service: stacks, pipelines, runs and steps.

The same write contracts serve the gateway's RPC calls and the Kafka ingestion topic
(`keel.ingest.metadata`), so both paths go through one service layer. Clients may choose
the ids of runs and steps themselves: a replayed event then names the same row and changes
nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from keel_common.contracts.base import Contract

INGEST_TOPIC = "keel.ingest.metadata"

Name = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.:/@-]*$"),
]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\s,]+$")]
RunStatus = Literal["initializing", "running", "completed", "failed", "cancelled", "cached"]
StepStatus = Literal["pending", "running", "completed", "failed", "cached", "skipped"]
ComponentType = Literal[
    "orchestrator",
    "artifact_store",
    "container_registry",
    "experiment_tracker",
    "model_deployer",
    "step_operator",
    "image_builder",
    "alerter",
    "data_validator",
]
# JSON documents (parameters, configs, specs) are bounded: metadata, not data.
JsonObject = Annotated[dict[str, Any], Field(max_length=500)]


class StackComponent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: ComponentType
    flavor: Name
    name: Name
    # Non-secret settings only (the artifact store's URI, the registry's host...).
    config: JsonObject = Field(default_factory=dict)
    # Credentials by reference: setting -> secret name in the workspace's secrets.
    secret_refs: dict[str, Name] = Field(default_factory=dict, max_length=50)


class CreateStack(Contract):
    TYPE: ClassVar[str] = "keel.metadata.create_stack"
    name: Name
    description: str = Field(default="", max_length=1000)
    components: list[StackComponent] = Field(default_factory=list, max_length=20)


class StackView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.stack"
    id: uuid.UUID
    name: str
    description: str
    components: list[StackComponent]
    created_by: str
    created_at: datetime


class ListStacks(Contract):
    TYPE: ClassVar[str] = "keel.metadata.list_stacks"


class StackList(Contract):
    TYPE: ClassVar[str] = "keel.metadata.stack_list"
    items: list[StackView]


class GetStack(Contract):
    TYPE: ClassVar[str] = "keel.metadata.get_stack"
    stack_id: uuid.UUID


class PipelineView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.pipeline"
    id: uuid.UUID
    name: str
    latest_version: int | None
    created_at: datetime


class ListPipelines(Contract):
    TYPE: ClassVar[str] = "keel.metadata.list_pipelines"


class PipelineList(Contract):
    TYPE: ClassVar[str] = "keel.metadata.pipeline_list"
    items: list[PipelineView]


class StartRun(Contract):
    """A run begins (API or ingestion). The pipeline is found or created by name; a new
    spec makes a new pipeline version. `run_id` makes replays harmless."""

    TYPE: ClassVar[str] = "keel.metadata.start_run"
    run_id: uuid.UUID | None = None
    name: Name | None = None
    # Projects group runs inside a workspace (a team's, a product's...).
    project: Name | None = None
    pipeline: Name
    # The DAG: step name -> names of the steps it depends on (and anything else).
    pipeline_spec: JsonObject | None = None
    stack: Name | None = None
    parameters: JsonObject = Field(default_factory=dict)
    trigger: str = Field(default="manual", max_length=100)
    code_ref: JsonObject | None = None
    status: Literal["initializing", "running"] = "running"
    started_at: AwareDatetime | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class SetRunStatus(Contract):
    """Move a run along: initializing -> running -> completed | failed | cancelled."""

    TYPE: ClassVar[str] = "keel.metadata.set_run_status"
    run_id: uuid.UUID
    status: RunStatus
    at: AwareDatetime | None = None
    # Optimistic concurrency: refuse (409) unless the run is at this revision.
    expected_revision: int | None = Field(default=None, ge=1)


class RunView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.run"
    id: uuid.UUID
    name: str
    project: str | None
    pipeline_id: uuid.UUID
    pipeline: str
    pipeline_version: int | None
    stack_id: uuid.UUID | None
    status: RunStatus
    started_at: datetime | None
    finished_at: datetime | None
    created_by: str
    created_at: datetime
    parameters: dict[str, Any]
    trigger: str
    code_ref: dict[str, Any] | None
    tags: list[str]
    revision: int


RunSort = Literal["created_at", "-created_at", "name", "-name"]


class ListRuns(Contract):
    TYPE: ClassVar[str] = "keel.metadata.list_runs"
    status: list[RunStatus] = Field(default_factory=list, max_length=6)
    project: Name | None = None
    pipeline: Name | None = None
    stack: Name | None = None
    created_by: str | None = Field(default=None, max_length=200)
    name_prefix: str | None = Field(default=None, max_length=200)
    tag: Tag | None = None
    created_after: AwareDatetime | None = None
    created_before: AwareDatetime | None = None
    sort: RunSort = "-created_at"
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=500)


class RunList(Contract):
    TYPE: ClassVar[str] = "keel.metadata.run_list"
    items: list[RunView]
    next_cursor: str | None = None


# Artifacts: what steps produce, stored in the customer's artifact store; Keel keeps the
# URI and what is known about it.

ArtifactType = Literal[
    "data", "model", "schema", "statistics", "metrics", "visualization", "service", "other"
]


class ArtifactOutput(BaseModel):
    """An artifact version a step produced (in FinishStep) or one registered by hand."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    artifact_version_id: uuid.UUID | None = None
    output: Name = "output"
    artifact: Name
    uri: str = Field(min_length=1, max_length=2000)
    type: ArtifactType = "data"
    data_type: str | None = Field(default=None, max_length=200)
    materializer: str | None = Field(default=None, max_length=200)
    size: int | None = Field(default=None, ge=0)
    content_hash: str | None = Field(default=None, max_length=200)
    visualizations: list[str] = Field(default_factory=list, max_length=50)
    tags: list[Tag] = Field(default_factory=list, max_length=50)


class StartStep(Contract):
    TYPE: ClassVar[str] = "keel.metadata.start_step"
    run_id: uuid.UUID
    step_id: uuid.UUID | None = None
    name: Name
    upstream: list[Name] = Field(default_factory=list, max_length=200)
    cache_key: str | None = Field(default=None, max_length=200)
    started_at: AwareDatetime | None = None
    # Input name -> the artifact version consumed (lineage walks these).
    inputs: dict[Name, uuid.UUID] = Field(default_factory=dict, max_length=200)


class FinishStep(Contract):
    TYPE: ClassVar[str] = "keel.metadata.finish_step"
    run_id: uuid.UUID
    name: Name
    status: Literal["completed", "failed", "cached", "skipped"]
    finished_at: AwareDatetime | None = None
    # A step that arrives finished without having been seen starting (events out of
    # order) still needs its start time.
    started_at: AwareDatetime | None = None
    cached_from: uuid.UUID | None = None
    cache_key: str | None = Field(default=None, max_length=200)
    upstream: list[Name] = Field(default_factory=list, max_length=200)
    inputs: dict[Name, uuid.UUID] = Field(default_factory=dict, max_length=200)
    outputs: list[ArtifactOutput] = Field(default_factory=list, max_length=200)


class StepView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.step"
    id: uuid.UUID
    run_id: uuid.UUID
    name: str
    status: StepStatus
    upstream: list[str]
    cache_key: str | None
    cached_from: uuid.UUID | None
    started_at: datetime | None
    finished_at: datetime | None


class GetRun(Contract):
    """One run with its steps: the DAG with every step's status."""

    TYPE: ClassVar[str] = "keel.metadata.get_run"
    run_id: uuid.UUID


class RunDetail(Contract):
    TYPE: ClassVar[str] = "keel.metadata.run_detail"
    run: RunView
    steps: list[StepView]


# Domain events on `keel.events.metadata`: the hooks for triggers.


class RunStarted(Contract):
    TYPE: ClassVar[str] = "keel.metadata.run.started"
    run_id: uuid.UUID
    pipeline: str
    stack_id: uuid.UUID | None


class RunFinished(Contract):
    TYPE: ClassVar[str] = "keel.metadata.run.finished"
    run_id: uuid.UUID
    pipeline: str
    status: RunStatus


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
    number: int | None = Field(default=None, ge=1)
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
    number: int = Field(ge=1)
    stage: Stage
    # Move the model's other versions in `stage` to `archived` (one production version).
    archive_others: bool = False


class SetModelAlias(Contract):
    """Point `alias` at a version (moving it from any other), or remove it (number None)."""

    TYPE: ClassVar[str] = "keel.metadata.set_model_alias"
    model: Name
    alias: Alias
    number: int | None = Field(default=None, ge=1)


class ModelView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.model"
    id: uuid.UUID
    name: str
    latest_version: int | None
    created_at: datetime


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


# Run metadata: typed key -> value on runs, steps, artifact versions and model versions.

Entity = Literal["run", "step", "artifact_version", "model_version"]
MetadataKind = Literal["number", "string", "json", "uri"]
MetadataKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_.:/-]{0,199}$")]
# One value's JSON stays small: this is metadata about artifacts, not the artifacts.
MAX_METADATA_VALUE_BYTES = 16 * 1024


class MetadataValue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: MetadataKind
    value: Any


class LogMetadata(Contract):
    TYPE: ClassVar[str] = "keel.metadata.log_metadata"
    entity: Entity
    entity_id: uuid.UUID
    values: dict[MetadataKey, MetadataValue] = Field(min_length=1, max_length=100)


class GetMetadata(Contract):
    TYPE: ClassVar[str] = "keel.metadata.get_metadata"
    entity: Entity
    entity_id: uuid.UUID


class MetadataView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.metadata"
    entity: Entity
    entity_id: uuid.UUID
    values: dict[str, MetadataValue]


class SetTags(Contract):
    TYPE: ClassVar[str] = "keel.metadata.set_tags"
    entity: Literal["run", "artifact_version", "model_version"]
    entity_id: uuid.UUID
    tags: list[Tag] = Field(max_length=50)


class TagsView(Contract):
    TYPE: ClassVar[str] = "keel.metadata.tags"
    tags: list[str]

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

from keel_common.contracts.base import MAX_DB_INT, Contract

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
    tags: list[str] = Field(default_factory=list)


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
    tags: list[str] = Field(default_factory=list)


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
    expected_revision: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


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
    tags: list[str] = Field(default_factory=list)


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

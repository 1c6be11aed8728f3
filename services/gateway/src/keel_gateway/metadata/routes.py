"""`/api/v1/workspaces/{workspace_id}/{stacks,pipelines,runs}[...]`: the ML metadata store.

Create calls take an `Idempotency-Key` header: a run created with a key gets an id derived
from (workspace, caller, key), so a retried create returns the run the first call made.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from keel_common.contracts.base import MAX_DB_INT
from keel_common.contracts.metadata import (
    ArtifactOutput,
    CreateStack,
    FinishStep,
    GetRun,
    GetStack,
    ListPipelines,
    ListRuns,
    ListStacks,
    Name,
    PipelineList,
    RunDetail,
    RunList,
    RunSort,
    RunStatus,
    RunView,
    SetRunStatus,
    StackList,
    StackView,
    StartRun,
    StartStep,
    StepView,
    Tag,
)
from keel_gateway.metadata.needs import (
    PipelineReader,
    RunCreator,
    RunReader,
    RunUpdater,
    StackCreator,
    StackReader,
)

router = APIRouter(prefix="/api/v1/workspaces/{workspace_id}", tags=["metadata"])

IDEMPOTENCY = uuid.UUID("6f1d1c5e-2b8a-4b8e-9d7e-3c1b0a4e5f60")


@router.post("/stacks", status_code=201, response_model=StackView)
async def create_stack(body: CreateStack, call: StackCreator) -> StackView:
    """Creating the same stack again returns it; a different stack under the name is a 409."""
    return await call.ask(body, StackView)


@router.get("/stacks", response_model=StackList)
async def list_stacks(call: StackReader) -> StackList:
    return await call.ask(ListStacks(), StackList)


@router.get("/stacks/{stack_id}", response_model=StackView)
async def get_stack(stack_id: uuid.UUID, call: StackReader) -> StackView:
    return await call.ask(GetStack(stack_id=stack_id), StackView)


@router.get("/pipelines", response_model=PipelineList)
async def list_pipelines(call: PipelineReader) -> PipelineList:
    return await call.ask(ListPipelines(), PipelineList)


@router.post("/runs", status_code=201, response_model=RunView)
async def start_run(body: StartRun, call: RunCreator) -> RunView:
    # The run's id follows from the key too, so the run events of a pipeline that retried
    # (and that reach the service on their own) name the same run.
    if call.idempotency_key is not None and body.run_id is None:
        seed = f"{call.workspace_id}:{call.principal.subject}:{call.idempotency_key}"
        body = body.model_copy(update={"run_id": uuid.uuid5(IDEMPOTENCY, seed)})
    return await call.ask(body, RunView)


class RunQuery(BaseModel):
    """Filters, sort and page of the run list (query parameters)."""

    model_config = ConfigDict(extra="forbid")
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


@router.get("/runs", response_model=RunList)
async def list_runs(call: RunReader, query: Annotated[RunQuery, Query()]) -> RunList:
    """Runs, newest first by default; filters combine; `next_cursor` fetches the next page."""
    return await call.ask(ListRuns.model_validate(query.model_dump()), RunList)


@router.get("/runs/{run_id}", response_model=RunDetail)
async def get_run(run_id: uuid.UUID, call: RunReader) -> RunDetail:
    """The run and its steps (the DAG: each step names its upstream steps)."""
    return await call.ask(GetRun(run_id=run_id), RunDetail)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: RunStatus
    at: AwareDatetime | None = None
    expected_revision: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


class StepStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name
    step_id: uuid.UUID | None = None
    upstream: list[Name] = Field(default_factory=list, max_length=200)
    cache_key: str | None = Field(default=None, max_length=200)
    started_at: AwareDatetime | None = None
    inputs: dict[Name, uuid.UUID] = Field(default_factory=dict, max_length=200)


class StepFinish(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["completed", "failed", "cached", "skipped"]
    finished_at: AwareDatetime | None = None
    cached_from: uuid.UUID | None = None
    outputs: list[ArtifactOutput] = Field(default_factory=list, max_length=200)


@router.put("/runs/{run_id}/status", response_model=RunView)
async def set_run_status(run_id: uuid.UUID, body: StatusChange, call: RunUpdater) -> RunView:
    """Move the run forward (initializing, running, then completed, failed or cancelled)."""
    return await call.ask(SetRunStatus(run_id=run_id, **body.model_dump()), RunView)


@router.post("/runs/{run_id}/steps", status_code=201, response_model=StepView)
async def start_step(run_id: uuid.UUID, body: StepStart, call: RunUpdater) -> StepView:
    return await call.ask(StartStep(run_id=run_id, **body.model_dump()), StepView)


@router.post("/runs/{run_id}/steps/{name}/finish", response_model=StepView)
async def finish_step(
    run_id: uuid.UUID, name: Name, body: StepFinish, call: RunUpdater
) -> StepView:
    finish = FinishStep(run_id=run_id, name=name, **body.model_dump())
    return await call.ask(finish, StepView)

"""MLflow runs: lifecycle, logging (params, metrics, tags, inputs, outputs), search and
metric history."""

from __future__ import annotations

import json
import math
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, model_validator

from keel_common.contracts.mlflow.base import (
    MAX_RESULTS,
    Entity,
    EntityKey,
    ExperimentId,
    LoggedMetric,
    Metric,
    MlflowReply,
    MlflowRequest,
    Param,
    RunId,
    Tag,
)
from keel_common.contracts.mlflow.experiments import ViewType

MAX_BATCH_ENTITIES = 1000
RunStatus = Literal["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]


class RunInfo(Entity):
    run_id: str
    run_uuid: str
    run_name: str
    experiment_id: str
    user_id: str
    status: RunStatus
    start_time: int
    end_time: int | None = None
    artifact_uri: str
    lifecycle_stage: str


class RunData(Entity):
    metrics: list[Metric] = Field(default_factory=list)
    params: list[Param] = Field(default_factory=list)
    tags: list[Tag] = Field(default_factory=list)


class Run(Entity):
    info: RunInfo
    data: RunData
    # MLflow's RunInputs / RunOutputs, kept as the client sent them.
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)


class CreateRun(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.create_run"
    experiment_id: ExperimentId = "0"
    user_id: str | None = Field(default=None, max_length=256)
    run_name: str | None = Field(default=None, max_length=250)
    start_time: int | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class RunReply(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.run"
    run: Run


class GetRun(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_run"
    run_id: RunId


class UpdateRun(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.update_run"
    run_id: RunId
    status: RunStatus | None = None
    end_time: int | None = None
    run_name: str | None = Field(default=None, max_length=250)


class RunInfoReply(MlflowReply):
    TYPE: ClassVar[str] = "keel.mlflow.run_info"
    run_info: RunInfo


class DeleteRun(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_run"
    run_id: RunId


class RestoreRun(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.restore_run"
    run_id: RunId


class LogBatch(MlflowRequest):
    """MLflow's limits: 1000 metrics, 100 params, 100 tags, 1000 entities in all."""

    TYPE: ClassVar[str] = "keel.mlflow.log_batch"
    run_id: RunId
    metrics: list[LoggedMetric] = Field(default_factory=list, max_length=1000)
    params: list[Param] = Field(default_factory=list, max_length=100)
    tags: list[Tag] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _at_most_1000_entities(self) -> Self:
        if len(self.metrics) + len(self.params) + len(self.tags) > MAX_BATCH_ENTITIES:
            raise ValueError(
                f"a batch holds at most {MAX_BATCH_ENTITIES} metrics, params and tags in all"
            )
        return self


class DeleteTag(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.delete_tag"
    run_id: RunId
    key: EntityKey


class LogInputs(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.log_inputs"
    run_id: RunId
    datasets: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)
    models: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)


class LogOutputs(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.log_outputs"
    run_id: RunId
    models: list[dict[str, Any]] = Field(default_factory=list, max_length=1000)


class SearchRuns(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.search_runs"
    experiment_ids: list[ExperimentId] = Field(default_factory=list, max_length=100)
    filter: str | None = Field(default=None, max_length=10_000)
    run_view_type: ViewType = "ACTIVE_ONLY"
    max_results: int = Field(default=1000, ge=1, le=MAX_RESULTS)
    order_by: list[str] = Field(default_factory=list, max_length=10)
    page_token: str | None = Field(default=None, max_length=200)


class RunPage(MlflowReply):
    """Each run as its MLflow JSON text (the shape of `Run`), written by the metadata
    service's database and passed through untouched: parsing and re-writing a thousand
    runs at each hop costs more than the search itself."""

    TYPE: ClassVar[str] = "keel.mlflow.run_page"
    runs: list[str]
    next_page_token: str | None = None

    def response_json(self) -> str:
        token = (
            "" if self.next_page_token is None else f',"next_page_token":"{self.next_page_token}"'
        )
        return f'{{"runs":[{",".join(self.runs)}]{token}}}'


class GetMetricHistory(MlflowRequest):
    TYPE: ClassVar[str] = "keel.mlflow.get_metric_history"
    run_id: RunId
    metric_key: EntityKey
    max_results: int | None = Field(default=None, ge=1, le=MAX_RESULTS)
    page_token: str | None = Field(default=None, max_length=200)


class MetricHistory(MlflowReply):
    """One metric's points as columns, written out in MLflow's shape (a list of metrics)
    only for the client: a model per point, built, written, read and written again on the
    way, was a quarter of the metadata service's CPU for a 100-point history."""

    TYPE: ClassVar[str] = "keel.mlflow.metric_history"
    key: EntityKey
    values: list[float]
    timestamps: list[int]
    steps: list[int]
    next_page_token: str | None = None

    @model_validator(mode="after")
    def _columns_line_up(self) -> Self:
        if not len(self.values) == len(self.timestamps) == len(self.steps):
            raise ValueError("values, timestamps and steps must be as long as each other")
        return self

    def response_json(self) -> str:
        key = json.dumps(self.key)
        points = ",".join(
            f'{{"key":{key},"value":{_json_number(value)},"timestamp":{timestamp},"step":{step}}}'
            for value, timestamp, step in zip(self.values, self.timestamps, self.steps, strict=True)
        )
        token = (
            ""
            if self.next_page_token is None
            else f',"next_page_token":{json.dumps(self.next_page_token)}'
        )
        return f'{{"metrics":[{points}]{token}}}'


def _json_number(value: float) -> str:
    """A float as protobuf's JSON writes it: non-finite ones as "NaN", "Infinity" and
    "-Infinity" (like every contract), the rest as Python's shortest repr, valid JSON."""
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return '"NaN"'
    return '"Infinity"' if value > 0 else '"-Infinity"'

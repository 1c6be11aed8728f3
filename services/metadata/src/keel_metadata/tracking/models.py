"""MLflow-compatible experiment tracking: experiments, runs and their metric history.

A run's params, tags and latest metric values live on its row as JSONB maps: MLflow's
search filters and sorts on them, and a page of runs is then one index scan with no joins.
The full metric history, appended on every log call, has a table of its own.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel_metadata.models import Base

# MLflow's lifecycle stages of experiments, runs and logged models.
ACTIVE = "active"
DELETED = "deleted"


class Experiment(Base):
    __tablename__ = "mlflow_experiments"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        UniqueConstraint("workspace_id", "name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    # The MLflow `experiment_id`, numbered per workspace; "0" is each workspace's Default.
    number: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(500))
    artifact_location: Mapped[str] = mapped_column(String(1000))
    lifecycle_stage: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    tags: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    creation_time: Mapped[int] = mapped_column(BigInteger)
    last_update_time: Mapped[int] = mapped_column(BigInteger)


class Run(Base):
    __tablename__ = "mlflow_runs"
    __table_args__ = (
        # The default search order: newest first within an experiment.
        Index("ix_mlflow_runs_experiment_start", "experiment_id", "start_time", "id"),
    )

    # MLflow's run id: 32 lowercase hex characters.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    experiment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mlflow_experiments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(250), default="")
    user_id: Mapped[str] = mapped_column(String(256), default="")
    # RUNNING, SCHEDULED, FINISHED, FAILED, KILLED
    status: Mapped[str] = mapped_column(String(16), default="RUNNING")
    start_time: Mapped[int] = mapped_column(BigInteger)
    end_time: Mapped[int | None] = mapped_column(BigInteger)
    lifecycle_stage: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    deleted_time: Mapped[int | None] = mapped_column(BigInteger)
    artifact_uri: Mapped[str] = mapped_column(String(1000))
    # {key: value}
    params: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    # {key: value}
    tags: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    # {key: {"value": number or "NaN"/"Infinity"/"-Infinity", "timestamp": ms, "step": n}}:
    # the latest point of each metric (highest step, then timestamp, then value).
    metrics: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSONB, default=dict)
    # MLflow's run inputs ({"dataset_inputs": [...], "model_inputs": [...]}) and outputs.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    outputs: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # The four above as the members `"data":{...},"inputs":{...},"outputs":{...}` of the
    # run's MLflow JSON, rewritten on every flush of the row (run_json.py): search pages
    # are then copied text, not JSON built per run per search.
    data_json: Mapped[str] = mapped_column(Text, default="")


class MetricPoint(Base):
    """Every logged value of every metric; a run's history is read by (run, key)."""

    __tablename__ = "mlflow_metric_points"
    __table_args__ = (Index("ix_mlflow_metric_points_run_key", "run_id", "key", "step"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("mlflow_runs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(250))
    value: Mapped[float] = mapped_column(Float(precision=53))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    step: Mapped[int] = mapped_column(BigInteger)

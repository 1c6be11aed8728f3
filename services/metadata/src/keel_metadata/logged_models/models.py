"""MLflow 3 logged models: a model's files and metadata, logged from a run (or not), that
registered model versions point at as their source."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel_metadata.models import Base


class LoggedModel(Base):
    __tablename__ = "mlflow_logged_models"
    __table_args__ = (Index("ix_mlflow_logged_models_experiment", "experiment_id", "created_ms"),)

    # "m-" and 32 hex characters, like MLflow's.
    id: Mapped[str] = mapped_column(String(34), primary_key=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    experiment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("mlflow_experiments.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(500))
    artifact_uri: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(40))
    model_type: Mapped[str | None] = mapped_column(String(500))
    source_run_id: Mapped[str | None] = mapped_column(String(32), index=True)
    lifecycle_stage: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(200))
    created_ms: Mapped[int] = mapped_column(BigInteger)
    updated_ms: Mapped[int] = mapped_column(BigInteger)
    params: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    tags: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    # The latest value of each metric per dataset, as MLflow's Metric entity (metrics.py).
    metrics: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)

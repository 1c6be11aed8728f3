"""Pipeline runs and step runs.

The run list is the hot query (a million runs per workspace): every filter it offers has an
index that starts with the workspace and ends with the sort key, so a page is an index range
scan whatever the filter.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel_metadata.models import Base


class PipelineRun(Base):
    __tablename__ = "pipeline_runs"
    __table_args__ = (
        Index("ix_runs_recent", "workspace_id", "created_at", "id"),
        Index("ix_runs_status", "workspace_id", "status", "created_at", "id"),
        Index("ix_runs_project", "workspace_id", "project", "created_at", "id"),
        Index("ix_runs_pipeline", "workspace_id", "pipeline_id", "created_at", "id"),
        Index("ix_runs_stack", "workspace_id", "stack_id", "created_at", "id"),
        Index("ix_runs_creator", "workspace_id", "created_by", "created_at", "id"),
        Index("ix_runs_name", "workspace_id", "name", "id"),
        Index("ix_runs_tags", "tags", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200, collation="C"))
    project: Mapped[str | None] = mapped_column(String(200))
    pipeline_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipelines.id"))
    pipeline_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("pipeline_versions.id")
    )
    stack_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stacks.id"))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    trigger: Mapped[str] = mapped_column(String(100))
    code_ref: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Bumped by every change: concurrent writers that read the same revision cannot both win.
    revision: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": revision}


class StepRun(Base):
    __tablename__ = "step_runs"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("pipeline_runs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    upstream: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list)
    cache_key: Mapped[str | None] = mapped_column(String(200), index=True)
    cached_from: Mapped[uuid.UUID | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list, server_default="{}")

"""Artifacts, their versions (URIs in the customer's store, never the bytes) and which
artifact versions each step consumed. Lineage walks producer -> inputs -> producer..."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from keel_metadata.models import Base


class Artifact(Base):
    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200))
    latest_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ArtifactVersion(Base):
    __tablename__ = "artifact_versions"
    __table_args__ = (
        UniqueConstraint("artifact_id", "version"),
        Index("ix_artifact_versions_producer", "producer_step_id"),
        Index("ix_artifact_versions_tags", "tags", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    artifact_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("artifacts.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    uri: Mapped[str] = mapped_column(String(2000))
    type: Mapped[str] = mapped_column(String(32))
    data_type: Mapped[str | None] = mapped_column(String(200))
    materializer: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str | None] = mapped_column(String(200))
    visualizations: Mapped[list[str]] = mapped_column(ARRAY(String(2000)), default=list)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(100)), default=list)
    output: Mapped[str] = mapped_column(String(200))
    producer_step_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("step_runs.id", ondelete="SET NULL")
    )
    producer_run_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StepInput(Base):
    __tablename__ = "step_inputs"

    step_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("step_runs.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    artifact_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("artifact_versions.id"), index=True
    )

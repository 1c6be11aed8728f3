"""Which backend holds a workspace's secret values."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from keel_secrets.models import Base


class WorkspaceBackend(Base):
    __tablename__ = "workspace_backends"

    workspace_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    vault_mount: Mapped[str | None] = mapped_column(String(100))
    vault_path_prefix: Mapped[str | None] = mapped_column(String(200))
    vault_namespace: Mapped[str | None] = mapped_column(String(200))
    relay_id: Mapped[uuid.UUID | None] = mapped_column()
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

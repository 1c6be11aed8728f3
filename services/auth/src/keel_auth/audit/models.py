"""The audit log as the control plane keeps it: one row per `keel.audit.recorded` event,
from any service. Who, what, which target, the outcome, the request id; never a value."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from keel_auth.models import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        # The two ways the log is read: a workspace's, an organization's; newest first.
        Index("ix_audit_log_workspace", "workspace_id", "at", "id"),
        Index("ix_audit_log_organization", "organization_id", "at", "id"),
    )

    # The event's message id: a redelivered event lands on the same row.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # None when the event names nobody the control plane knows (a login for an unknown
    # address): such rows are kept, but no organization's admins list them.
    organization_id: Mapped[uuid.UUID | None] = mapped_column()
    workspace_id: Mapped[uuid.UUID | None] = mapped_column()
    actor: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(400))
    reason: Mapped[str | None] = mapped_column(String(400))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(200))

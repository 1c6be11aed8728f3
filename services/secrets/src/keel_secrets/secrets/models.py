"""A secret's metadata and version history. Values live in the backend, never here
(except, envelope-encrypted, in the `sql` backend's own table)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from keel_secrets.models import Base


class Secret(Base):
    __tablename__ = "secrets"
    __table_args__ = (
        # Names are unique per workspace; the same index serves prefix listing in name order.
        UniqueConstraint("workspace_id", "name"),
        Index("ix_secrets_shared_users", "shared_with_users", postgresql_using="gin"),
        Index("ix_secrets_shared_teams", "shared_with_teams", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(200, collation="C"))
    description: Mapped[str] = mapped_column(String(500), default="")
    # `workspace` (everyone with secret:read) or `private` (the owner and those shared with).
    scope: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(200))
    keys: Mapped[list[str]] = mapped_column(ARRAY(String(128)))
    version: Mapped[int] = mapped_column()
    backend: Mapped[str] = mapped_column(String(16))
    shared_with_users: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    shared_with_teams: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SecretVersion(Base):
    __tablename__ = "secret_versions"

    secret_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("secrets.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    keys: Mapped[list[str]] = mapped_column(ARRAY(String(128)))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

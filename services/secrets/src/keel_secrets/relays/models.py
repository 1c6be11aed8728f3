"""Relays registered for workspaces, and the replicas that heartbeat for them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from keel_secrets.models import Base


class Relay(Base):
    __tablename__ = "relays"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the one-time enrollment token: the HMAC key of the relay's proof. Cleared
    # once used.
    token_digest: Mapped[bytes | None] = mapped_column(LargeBinary)
    token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Public keys the relay generated itself (Ed25519 verifies its replies; X25519 receives
    # values sealed to it).
    verify_key: Mapped[str | None] = mapped_column(Text)
    sealing_key: Mapped[str | None] = mapped_column(Text)
    enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RelayInstance(Base):
    __tablename__ = "relay_instances"

    relay_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("relays.id", ondelete="CASCADE"), primary_key=True
    )
    instance: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_heartbeat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    partitions: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    vault: Mapped[str] = mapped_column(String(16))
    version: Mapped[str] = mapped_column(String(50))

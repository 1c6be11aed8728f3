"""One device login in flight."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from keel_auth.models import Base


class DeviceLogin(Base):
    __tablename__ = "device_logins"

    # SHA-256 of the device code; the code itself is only ever held by the polling client.
    device_code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_code: Mapped[str] = mapped_column(String(20), unique=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    interval_s: Mapped[int]
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    consumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""The `sql` backend: envelope encryption in Postgres.

Each workspace has a data key (AES-256) wrapped by the key-encryption key; each value row
is encrypted with its workspace's data key, bound (as associated data) to its secret and
version so rows cannot be swapped.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from keel_secrets.models import Base


class DataKey(Base):
    __tablename__ = "data_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    workspace_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    kek_id: Mapped[str] = mapped_column(String(32), index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SecretValue(Base):
    __tablename__ = "secret_values"

    secret_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("secrets.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    data_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("data_keys.id"))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)

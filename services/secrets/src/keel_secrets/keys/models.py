"""The service's own keys, private halves wrapped under the key-encryption key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from keel_secrets.models import Base


class ServiceKey(Base):
    __tablename__ = "service_keys"

    # `sealing` (X25519: values written to the sql/vault backends are sealed to it) or
    # `signing` (Ed25519: signs every request to a relay; relays pin its public half).
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    kek_id: Mapped[str] = mapped_column(String(32))
    private_key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

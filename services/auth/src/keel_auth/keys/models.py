"""Keys, their private halves wrapped under the key-encryption key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from keel_auth.models import Base


class ServiceKey(Base):
    __tablename__ = "service_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    # `signing` (RS256, published in the JWKS) or `sealing` (X25519, for sealed inputs).
    kind: Mapped[str] = mapped_column(String(16), index=True)
    public_key: Mapped[str] = mapped_column(Text)
    private_key_wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Retired keys stop signing but stay in the JWKS until their tokens have expired.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

"""An organization's IdP configuration, and the short-lived state of each login."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from keel_auth.models import Base


class SsoConfig(Base):
    __tablename__ = "sso_configs"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id"), primary_key=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    # Wrapped under the key-encryption key; NULL for public clients (PKCE only).
    client_secret_wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    allowed_domains: Mapped[list[str]] = mapped_column(JSONB, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    group_claim: Mapped[str | None] = mapped_column(String(100))
    # IdP group name → Keel team id (as text, JSON has no UUIDs).
    group_teams: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SsoLogin(Base):
    """One authorization request in flight: single use, expires in minutes."""

    __tablename__ = "sso_logins"

    state: Mapped[str] = mapped_column(String(200), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"))
    nonce: Mapped[str] = mapped_column(String(200))
    code_verifier: Mapped[str] = mapped_column(String(200))
    callback_url: Mapped[str] = mapped_column(String(500))
    # A sign-in for a device login (`keel login --sso`): its code; once signed in, who the
    # person is and the confirmation (SHA-256) they must send to approve it.
    device_user_code: Mapped[str | None] = mapped_column(String(20))
    device_user_id: Mapped[uuid.UUID | None] = mapped_column()
    confirmation_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

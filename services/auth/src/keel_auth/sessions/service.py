"""Password login and refresh-token rotation. Takes a session; never commits."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from jose import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity import repository as identity
from keel_auth.identity.models import User
from keel_auth.keys.service import KeyService
from keel_auth.sessions import repository
from keel_auth.sessions.models import RefreshToken
from keel_auth.sessions.passwords import verify_password
from keel_auth.settings import AuthSettings
from keel_common.bus.topics import events_topic
from keel_common.contracts.audit import AuditRecorded
from keel_common.contracts.base import Envelope
from keel_common.errors import FailAfterCommit, KeelError, Unauthenticated
from keel_common.outbox.writer import publish_after_commit

REFRESH_PREFIX = "keel_rt_"
AUDIT_TOPIC = events_topic("audit")


class TooManyAttempts(KeelError):
    status = 429
    slug = "too-many-attempts"
    title = "Too many failed sign-in attempts"


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def audit(
    session: AsyncSession,
    action: str,
    outcome: Literal["success", "failure", "denied"],
    *,
    actor: str | None,
    target: str | None = None,
    reason: str | None = None,
    source_ip: str | None = None,
) -> None:
    event = AuditRecorded(
        action=action, outcome=outcome, target=target, reason=reason, source_ip=source_ip
    )
    await publish_after_commit(session, AUDIT_TOPIC, Envelope.wrap(event, actor=actor), key=target)


class SessionService:
    def __init__(self, settings: AuthSettings, keys: KeyService) -> None:
        self._settings = settings
        self._keys = keys

    async def password_login(
        self, session: AsyncSession, email: str, password: str, source_ip: str | None
    ) -> IssuedTokens:
        now = datetime.now(UTC)
        user = await identity.user_by_email(session, email, for_update=True)
        if user is not None and user.locked_until is not None and user.locked_until > now:
            await audit(session, "auth.login", "denied", actor=None, target=f"user:{user.id}",
                        reason="locked", source_ip=source_ip)  # fmt: skip
            retry_after = int((user.locked_until - now).total_seconds()) + 1
            raise FailAfterCommit(TooManyAttempts(retry_after=retry_after))
        valid = await verify_password(user.password_hash if user else None, password)
        if user is None or not valid or not user.active:
            target = f"user:{user.id}" if user else None
            if user is not None and not valid:
                user.failed_logins += 1
                if user.failed_logins >= self._settings.lockout_threshold:
                    user.locked_until = now + timedelta(seconds=self._settings.lockout_s)
                    user.failed_logins = 0
            await audit(session, "auth.login", "failure", actor=None, target=target,
                        reason="invalid credentials", source_ip=source_ip)  # fmt: skip
            raise FailAfterCommit(Unauthenticated("the email or password is not correct"))
        user.failed_logins = 0
        user.locked_until = None
        await audit(session, "auth.login", "success", actor=f"user:{user.id}",
                    target=f"user:{user.id}", source_ip=source_ip)  # fmt: skip
        return await self.issue(session, user)

    async def refresh(
        self, session: AsyncSession, refresh_token: str, source_ip: str | None
    ) -> IssuedTokens:
        now = datetime.now(UTC)
        stored = await repository.by_hash(session, _hash(refresh_token))
        if stored is None or stored.expires_at <= now:
            raise Unauthenticated("the refresh token is not valid")
        if stored.used_at is not None or stored.revoked_at is not None:
            # A used token presented again: someone holds a copy. End the whole session.
            await repository.revoke_family(session, stored.family_id, now)
            await audit(session, "auth.refresh", "denied", actor=f"user:{stored.user_id}",
                        target=f"user:{stored.user_id}", reason="refresh token reuse",
                        source_ip=source_ip)  # fmt: skip
            raise FailAfterCommit(Unauthenticated("the refresh token was already used"))
        user = await identity.user_by_id(session, stored.user_id)
        if user is None or not user.active:
            raise Unauthenticated("the user is deactivated")
        stored.used_at = now
        return await self.issue(session, user, family_id=stored.family_id)

    async def issue(
        self, session: AsyncSession, user: User, *, family_id: uuid.UUID | None = None
    ) -> IssuedTokens:
        """A new access token and refresh token (a new family unless one is continued)."""
        now = datetime.now(UTC)
        family_id = family_id or uuid.uuid4()
        material = await self._keys.signing_material(session)
        ttl = self._settings.access_token_ttl_s
        claims = {
            "iss": self._settings.issuer,
            "aud": self._settings.audience,
            "sub": f"user:{user.id}",
            "org": str(user.organization_id),
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl,
            "jti": uuid.uuid4().hex,
        }
        access = jwt.encode(
            claims, material.private_pem, algorithm="RS256", headers={"kid": material.kid}
        )
        refresh = REFRESH_PREFIX + secrets.token_urlsafe(32)
        await repository.add(
            session,
            RefreshToken(
                token_hash=_hash(refresh),
                family_id=family_id,
                user_id=user.id,
                expires_at=now + timedelta(seconds=self._settings.refresh_token_ttl_s),
            ),
        )
        return IssuedTokens(access_token=access, refresh_token=refresh, expires_in=ttl)

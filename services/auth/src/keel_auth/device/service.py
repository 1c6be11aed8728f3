"""Device login: start, approve, poll. Takes a session; never commits."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.device.models import DeviceLogin
from keel_auth.identity import repository as identity
from keel_auth.rbac.service import Principal
from keel_auth.sessions.service import IssuedTokens, SessionService, audit
from keel_common.errors import FailAfterCommit, KeelError, NotFound

LIFETIME = timedelta(minutes=10)
INTERVAL_S = 2
# No vowels or look-alikes: codes are read off one screen and typed on another.
_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


class DeviceLoginPending(KeelError):
    """RFC 8628 polling answers; `error` is the standard code clients branch on."""

    status = 400
    slug = "device-login-pending"
    title = "The device login is not approved yet"


@dataclass(frozen=True)
class Started:
    device_code: str
    user_code: str
    expires_in: int
    interval: int


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _user_code() -> str:
    letters = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


async def start(session: AsyncSession) -> Started:
    device_code = secrets.token_urlsafe(32)
    login = DeviceLogin(
        device_code_hash=_hash(device_code),
        user_code=_user_code(),
        expires_at=datetime.now(UTC) + LIFETIME,
        interval_s=INTERVAL_S,
    )
    session.add(login)
    await session.flush()
    return Started(device_code, login.user_code, int(LIFETIME.total_seconds()), INTERVAL_S)


def normalized(user_code: str) -> str:
    """`abcd efgh`, `ABCDEFGH` and `ABCD-EFGH` are the same code, as typed by a person."""
    code = user_code.strip().upper().replace(" ", "")
    if "-" not in code and len(code) == 8:
        code = f"{code[:4]}-{code[4:]}"
    return code


async def pending(session: AsyncSession, user_code: str) -> DeviceLogin:
    """The device login waiting for approval under this code, locked."""
    query = select(DeviceLogin).where(DeviceLogin.user_code == normalized(user_code))
    login = (await session.execute(query.with_for_update())).scalar_one_or_none()
    if login is None or login.expires_at <= datetime.now(UTC) or login.approved_by is not None:
        raise NotFound("no pending device login has this code")
    return login


async def approve(session: AsyncSession, principal: Principal, user_code: str) -> None:
    if not principal.subject.startswith("user:"):
        raise NotFound("only a signed-in person can approve a device login")
    user = await identity.user_by_id(session, uuid.UUID(principal.subject.removeprefix("user:")))
    if user is None:
        raise NotFound("no such user")
    await approve_as(session, user.id, user_code)


async def approve_as(session: AsyncSession, user_id: uuid.UUID, user_code: str) -> None:
    """Approve the device login as `user_id`: the device polling for it gets their tokens."""
    login = await pending(session, user_code)
    login.approved_by = user_id
    await audit(session, "auth.device_approve", "success", actor=f"user:{user_id}",
                target=f"user:{user_id}")  # fmt: skip


async def poll(session: AsyncSession, sessions: SessionService, device_code: str) -> IssuedTokens:
    now = datetime.now(UTC)
    login = await session.get(DeviceLogin, _hash(device_code), with_for_update=True)
    if login is None or login.consumed_at is not None:
        raise DeviceLoginPending("the device code is not valid", error="invalid_grant")
    if login.expires_at <= now:
        raise DeviceLoginPending("the device code has expired; start again", error="expired_token")
    too_soon = (
        login.last_polled_at is not None
        and (now - login.last_polled_at).total_seconds() < login.interval_s
    )
    login.last_polled_at = now
    if too_soon:
        login.interval_s += 5  # RFC 8628 §3.5: every slow_down adds five seconds
        raise FailAfterCommit(
            DeviceLoginPending("poll less often", error="slow_down", interval=login.interval_s)
        )
    if login.approved_by is None:
        raise FailAfterCommit(
            DeviceLoginPending("waiting for approval", error="authorization_pending")
        )
    user = await identity.user_by_id(session, login.approved_by)
    if user is None or not user.active:
        raise DeviceLoginPending("the approving user is deactivated", error="access_denied")
    login.consumed_at = now
    return await sessions.issue(session, user)

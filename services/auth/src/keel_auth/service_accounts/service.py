"""Service accounts and API keys. Takes a session; never commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.rbac import repository as bindings
from keel_auth.rbac.roles import Action, Resource, permission
from keel_auth.rbac.service import Principal, require
from keel_auth.service_accounts import repository
from keel_auth.service_accounts.models import ApiKey, ServiceAccount
from keel_auth.sessions.service import audit
from keel_common.bus.topics import events_topic
from keel_common.contracts.auth import ApiKeyRevoked
from keel_common.contracts.base import Envelope
from keel_common.errors import NotFound, Unauthenticated
from keel_common.outbox.writer import publish_after_commit

KEY_PREFIX = "keel_ak_"
AUTH_EVENTS = events_topic("auth")


@dataclass(frozen=True)
class NewKey:
    key: ApiKey
    plaintext: str


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def create_account(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID, name: str, role: str
) -> ServiceAccount:
    needed = permission(Resource.SERVICE_ACCOUNT, Action.CREATE)
    await require(session, principal, needed, workspace_id)
    account = await repository.add_account(
        session,
        ServiceAccount(
            organization_id=principal.organization_id,
            workspace_id=workspace_id,
            name=name,
            created_by=principal.subject,
        ),
    )
    subject = f"service_account:{account.id}"
    await bindings.bind(session, subject, role, principal.organization_id, workspace_id)
    await audit(session, "service_account.create", "success", actor=principal.subject,
                target=subject)  # fmt: skip
    return account


async def accounts(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID
) -> Sequence[ServiceAccount]:
    await require(
        session, principal, permission(Resource.SERVICE_ACCOUNT, Action.READ), workspace_id
    )
    return await repository.accounts_in(session, workspace_id)


async def _account_in(
    session: AsyncSession, workspace_id: uuid.UUID, account_id: uuid.UUID
) -> ServiceAccount:
    account = await repository.account(session, account_id)
    if account is None or account.workspace_id != workspace_id:
        raise NotFound("no such service account in this workspace")
    return account


async def create_key(
    session: AsyncSession,
    principal: Principal,
    *,
    workspace_id: uuid.UUID,
    account_id: uuid.UUID,
    name: str,
    expires_in_days: int | None,
) -> NewKey:
    await require(
        session, principal, permission(Resource.SERVICE_ACCOUNT, Action.UPDATE), workspace_id
    )
    account = await _account_in(session, workspace_id, account_id)
    key_id = uuid.uuid4()
    plaintext = f"{KEY_PREFIX}{key_id.hex}_{secrets.token_urlsafe(32)}"
    expires_at = datetime.now(UTC) + timedelta(days=expires_in_days) if expires_in_days else None
    key = await repository.add_key(
        session,
        ApiKey(id=key_id, service_account_id=account.id, name=name,
               key_hash=_hash(plaintext), expires_at=expires_at),
    )  # fmt: skip
    await audit(session, "api_key.create", "success", actor=principal.subject,
                target=f"api_key:{key.id}")  # fmt: skip
    return NewKey(key=key, plaintext=plaintext)


async def revoke_key(
    session: AsyncSession,
    principal: Principal,
    *,
    workspace_id: uuid.UUID,
    account_id: uuid.UUID,
    key_id: uuid.UUID,
) -> None:
    await require(
        session, principal, permission(Resource.SERVICE_ACCOUNT, Action.UPDATE), workspace_id
    )
    account = await _account_in(session, workspace_id, account_id)
    key = await repository.key(session, key_id)
    if key is None or key.service_account_id != account.id:
        raise NotFound("no such API key for this service account")
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        event = ApiKeyRevoked(key_id=key.id, service_account_id=account.id)
        envelope = Envelope.wrap(event, actor=principal.subject, workspace=workspace_id)
        await publish_after_commit(session, AUTH_EVENTS, envelope, key=str(account.id))
        await audit(session, "api_key.revoke", "success", actor=principal.subject,
                    target=f"api_key:{key.id}")  # fmt: skip


async def verify_key(session: AsyncSession, plaintext: str) -> tuple[ServiceAccount, ApiKey]:
    """The account behind a presented key; Unauthenticated for anything else."""
    refused = Unauthenticated("the API key is not valid")
    if not plaintext.startswith(KEY_PREFIX):
        raise refused
    try:
        key_id = uuid.UUID(hex=plaintext[len(KEY_PREFIX) :].split("_", 1)[0])
    except ValueError:
        raise refused from None
    key = await repository.key(session, key_id)
    if key is None or not hmac.compare_digest(key.key_hash, _hash(plaintext)):
        raise refused
    now = datetime.now(UTC)
    if key.revoked_at is not None or (key.expires_at is not None and key.expires_at <= now):
        raise refused
    account = await repository.account(session, key.service_account_id)
    if account is None or not account.active:
        raise refused
    return account, key

"""Idempotency keys for RPC requests: a retried request gets the first one's reply.

The gateway puts a POST's `Idempotency-Key` on the envelope of the call that does the work.
The service's RpcRouter keeps (caller, workspace, request type, key) with a fingerprint of
the request and its reply in the service's own database, inside the first request's unit of
work. So a retry (after a timeout, through another gateway instance) is answered from there
and changes nothing; a concurrent duplicate waits on the first request's row and then gets
its reply; the same key with a different request is refused (422). A failed request keeps
nothing, so its retry runs again. A reply holding sealed material (an API key, tokens) was
sealed to the first request's one-use key and cannot be opened by a retry: the retry is
told the request was done (409). Keys are kept for a day.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.base import Envelope
from keel_common.crypto.sealed import Sealed
from keel_common.db.fabric import idempotency
from keel_common.errors import Conflict, InvalidInput

RETENTION = timedelta(hours=24)
# Expired keys each new key clears away: more than arrive, so the table stays a day long.
_PRUNE_BATCH = 20


class IdempotencyKeyReused(InvalidInput):
    slug = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"


class AlreadyDone(Conflict):
    slug = "already-done"
    title = "This request was already done"


@dataclass(frozen=True)
class FirstRequest:
    fingerprint: str
    # None when its reply held something shown once.
    reply: dict[str, Any] | None

    def replay(self, fingerprint: str) -> dict[str, Any]:
        if fingerprint != self.fingerprint:
            raise IdempotencyKeyReused(
                "the Idempotency-Key was first sent with a different request; use a new key"
            )
        if self.reply is None:
            raise AlreadyDone(
                "a request with this Idempotency-Key already succeeded; what it returned "
                "(a key or token) is shown only once"
            )
        return self.reply


def scope_of(envelope: Envelope) -> str | None:
    if envelope.idempotency_key is None:
        return None
    return "|".join(
        (str(envelope.actor), str(envelope.workspace), envelope.type, envelope.idempotency_key)
    )


def fingerprint_of(envelope: Envelope) -> str:
    """What must match for a request to be the same one again. Sealed values and one-use
    reply keys are left out: a retry seals afresh, so they never match (the values behind
    them are not compared)."""
    canonical = json.dumps(_comparable(envelope.payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _comparable(value: object) -> object:
    if isinstance(value, dict):
        if set(value) == set(Sealed.model_fields):
            return "<sealed>"
        return {k: _comparable(v) for k, v in value.items() if k != "reply_key"}
    if isinstance(value, list):
        return [_comparable(item) for item in value]
    return value


async def claim(session: AsyncSession, scope: str, fingerprint: str) -> FirstRequest | None:
    """None if this request is the first with its key (the key is now its, until the unit
    of work ends); else what the first request left."""
    expired = idempotency.c.created_at < func.now() - RETENTION
    await session.execute(delete(idempotency).where(idempotency.c.scope == scope, expired))
    oldest = select(idempotency.c.scope).where(expired).limit(_PRUNE_BATCH).scalar_subquery()
    await session.execute(delete(idempotency).where(idempotency.c.scope.in_(oldest)))
    # A concurrent first request's uncommitted row makes this insert wait for its end.
    claimed = await session.execute(
        insert(idempotency)
        .values(scope=scope, fingerprint=fingerprint)
        .on_conflict_do_nothing()
        .returning(idempotency.c.scope)
    )
    if claimed.first() is not None:
        return None
    query = select(idempotency.c.fingerprint, idempotency.c.reply)
    first = (await session.execute(query.where(idempotency.c.scope == scope))).one()
    return FirstRequest(first.fingerprint, first.reply)


async def keep(session: AsyncSession, scope: str, result: BaseModel) -> dict[str, Any]:
    """Remember the first request's reply (or that it held something shown once)."""
    reply = result.model_dump(mode="json")
    kept = None if holds_sealed(result) else reply
    await session.execute(
        update(idempotency).where(idempotency.c.scope == scope).values(reply=kept)
    )
    return reply


async def forget(session: AsyncSession, scope: str) -> None:
    """The request failed: its retry may run again."""
    await session.execute(delete(idempotency).where(idempotency.c.scope == scope))


def holds_sealed(value: object) -> bool:
    if isinstance(value, Sealed):
        return True
    if isinstance(value, BaseModel):
        return any(holds_sealed(getattr(value, name)) for name in type(value).model_fields)
    if isinstance(value, list | tuple):
        return any(holds_sealed(item) for item in value)
    if isinstance(value, dict):
        return any(holds_sealed(item) for item in value.values())
    return False

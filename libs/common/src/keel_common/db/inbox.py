"""The idempotent inbox: a consumer records each message id it has applied."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.db.fabric import inbox


async def claim(session: AsyncSession, consumer: str, message_id: uuid.UUID) -> bool:
    """True if this consumer has not applied the message yet (and now owns applying it in
    this transaction); False for a duplicate."""
    statement = (
        insert(inbox)
        .values(consumer=consumer, message_id=message_id)
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    result = await session.execute(statement)
    return result.scalar_one_or_none() is not None


async def claim_many(
    session: AsyncSession, consumer: str, message_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """The ids among `message_ids` this consumer has not applied yet, claimed in one
    statement."""
    if not message_ids:
        return set()
    statement = (
        insert(inbox)
        .values([{"consumer": consumer, "message_id": m} for m in set(message_ids)])
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    return set((await session.execute(statement)).scalars())

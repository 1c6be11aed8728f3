"""The idempotent inbox: a consumer records each message id it has applied."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID, insert
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
    statement. The ids travel as one array parameter: a VALUES row per id would make a
    differently shaped statement for every batch size, each compiled anew."""
    if not message_ids:
        return set()
    ids = bindparam("ids", list(set(message_ids)), type_=ARRAY(UUID(as_uuid=True)))
    statement = (
        insert(inbox)
        .from_select(["consumer", "message_id"], select(literal(consumer), func.unnest(ids)))
        .on_conflict_do_nothing()
        .returning(inbox.c.message_id)
    )
    return set((await session.execute(statement)).scalars())

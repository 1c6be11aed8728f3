"""Write an event into the outbox, inside the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.tracing import TRACEPARENT, outgoing_traceparent
from keel_common.contracts.base import Envelope
from keel_common.db.database import OUTBOX_WRITTEN
from keel_common.db.fabric import outbox


async def publish_after_commit(
    session: AsyncSession, topic: str, envelope: Envelope, *, key: str | None = None
) -> None:
    """Queue `envelope` for `topic`. It is published only if the transaction commits, and
    then at least once. `key` orders events of one aggregate (pass its id)."""
    headers = {**envelope.headers(), TRACEPARENT: outgoing_traceparent()}
    # The row depends on no pending ORM object, so it does not flush them: a caller that
    # emits an event per change (an ingestion batch) would otherwise flush, and insert or
    # update, a row or two at a time instead of all of them together at the end.
    with session.no_autoflush:
        await session.execute(
            outbox.insert().values(
                message_id=envelope.id,
                topic=topic,
                key=key.encode() if key is not None else None,
                value=envelope.to_bytes(),
                headers=headers,
            )
        )
    session.info[OUTBOX_WRITTEN] = True

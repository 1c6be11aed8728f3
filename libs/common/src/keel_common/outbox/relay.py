"""The outbox relay: moves committed outbox rows to Kafka, then deletes them.

Rows are locked with SKIP LOCKED, so several instances of a service relay in parallel
without publishing the same row twice at the same time. A crash between publish and
delete republishes those rows: delivery is at-least-once, and consumers dedupe by id.
"""

from __future__ import annotations

import asyncio
import contextlib

from faststream.kafka import KafkaBroker
from sqlalchemy import delete, select

from keel_common.db.database import Database
from keel_common.db.fabric import outbox
from keel_common.logging import get_logger

log = get_logger(__name__)


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        broker: KafkaBroker,
        *,
        batch_size: int = 500,
        idle_poll_s: float = 1.0,
        linger_s: float = 0.05,
    ) -> None:
        self._db = db
        self._broker = broker
        self._batch_size = batch_size
        self._idle_poll_s = idle_poll_s
        # After a commit wakes it, the relay waits this long for more: the events of a busy
        # service (an audit entry per request) then go out a batch per transaction instead
        # of one each, which on a small machine took CPU from the requests themselves.
        # Events are asynchronous; nothing waits on them within a request.
        self._linger_s = linger_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        db.on_outbox_commit(self._wake.set)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows it published."""
        async with self._db.transaction() as session:
            rows = (
                await session.execute(
                    select(outbox)
                    .order_by(outbox.c.seq)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            # Send the whole batch, then wait for every acknowledgement: one round trip
            # per batch instead of per row.
            pending = [
                await self._broker.publish(
                    row.value,
                    row.topic,
                    key=row.key,
                    headers=dict(row.headers),
                    no_confirm=True,
                )
                for row in rows
            ]
            await asyncio.gather(*pending)
            await session.execute(delete(outbox).where(outbox.c.seq.in_([r.seq for r in rows])))
            return len(rows)

    async def _run(self) -> None:
        while True:
            # Cleared before looking, so a commit that lands while we publish wakes the
            # next round instead of waiting for the poll.
            self._wake.clear()
            try:
                published = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying")
                await asyncio.sleep(self._idle_poll_s)
                continue
            if published == self._batch_size:
                continue  # a full batch: more may be waiting
            # Every row there was to take has been taken; a commit since the look set the
            # event. Woken by a commit that wrote outbox rows, or polls: rows written by
            # another instance (or before a crash) are picked up too.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_poll_s)
                await asyncio.sleep(self._linger_s)  # woken by a commit: let more join it

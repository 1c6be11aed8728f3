"""Offsets of handled events, committed a few times a second instead of after each one.

An event consumer commits a record's offset only once the record is handled or parked in
the DLQ, so a crash redelivers it (at-least-once). Committing after every record cost a
synchronous OffsetCommit round trip each time: ~1 ms of the broker's CPU and 0.2 ms of the
consumer's (bench/README.md, "Events"), more than the produce that brought the event.
Here the handled offsets are kept per partition and committed together `interval_s` after
the first of them. Nothing is committed before it is handled, so the guarantee is the
same; what a crash redelivers grows from one record to `interval_s` worth, which event
consumers absorb as they always had to (the inbox, or writes keyed by the message id).

A rebalance commits the pending offsets of the partitions it takes away (while they are
still this member's), and a service's graceful stop commits the rest (`commit_pending`).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Collection, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata
from faststream.kafka import KafkaBroker

from keel_common.logging import get_logger

log = get_logger(__name__)

# Every HandledOffsets of a broker, so that a stopping service can commit them all.
_OF_BROKER: weakref.WeakKeyDictionary[KafkaBroker, list[HandledOffsets]] = (
    weakref.WeakKeyDictionary()
)


class HandledOffsets:
    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._pending: dict[TopicPartition, int] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._scheduled: asyncio.Task[None] | None = None

    def handled(
        self, consumer: AIOKafkaConsumer, records: Iterable[ConsumerRecord[Any, Any]]
    ) -> None:
        """These records are done with: their offsets go out with the next commit."""
        self._consumer = consumer
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            self._pending[partition] = max(self._pending.get(partition, 0), record.offset + 1)
        if self._scheduled is None:
            self._scheduled = asyncio.create_task(self._commit_soon())

    async def _commit_soon(self) -> None:
        try:
            await asyncio.sleep(self._interval_s)
        finally:
            # Records handled from here on schedule the next commit.
            self._scheduled = None
        await self.commit()

    async def commit(self, partitions: Collection[TopicPartition] | None = None) -> None:
        """Commit the pending offsets (of `partitions` only, if given) now."""
        consumer = self._consumer
        if consumer is None:
            return
        taken = [p for p in self._pending if partitions is None or p in partitions]
        offsets = {p: OffsetAndMetadata(self._pending.pop(p), "") for p in taken}
        assigned = consumer.assignment()
        # A partition another member owns now is that member's to commit.
        offsets = {p: o for p, o in offsets.items() if p in assigned}
        if not offsets:
            return
        try:
            await consumer.commit(offsets)
        except KafkaError as exc:
            log.warning(
                "offsets of handled events not committed; those events will come again",
                error=type(exc).__name__,
            )


class CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, offsets: HandledOffsets) -> None:
        self._offsets = offsets

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._offsets.commit(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        pass


def handled_offsets(broker: KafkaBroker, interval_s: float) -> HandledOffsets:
    """A new HandledOffsets for one subscriber of `broker`."""
    offsets = HandledOffsets(interval_s)
    _OF_BROKER.setdefault(broker, []).append(offsets)
    return offsets


async def commit_pending(broker: KafkaBroker) -> None:
    """Commit what the subscribers of `broker` have handled so far (before it stops)."""
    for offsets in _OF_BROKER.get(broker, []):
        await offsets.commit()

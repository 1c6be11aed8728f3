"""Event consumers: parse, retry a bounded number of times, then dead-letter.

A consumer gets a validated `Envelope`. Whatever it raises is retried with backoff up to
`max_attempts`; a message that cannot even be parsed, or that still fails, is parked in the
DLQ with its reason and the partition moves on. The offset is committed only after the
message is handled or parked (a few times a second, `keel_common.bus.commits`), so a crash
redelivers it (at-least-once); `with_inbox` turns that into exactly-once effects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.middlewares import AckPolicy
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.broker import group_timing
from keel_common.bus.commits import CommitOnRevoke, HandledOffsets, handled_offsets
from keel_common.bus.dead_letters import dead_letter_record
from keel_common.bus.message import KafkaMessage
from keel_common.bus.tracing import TRACEPARENT, continue_trace, reset_trace
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_common.db.inbox import claim, claim_many
from keel_common.errors import InvalidInput, summarize
from keel_common.logging import get_logger
from keel_common.settings import BusSettings

log = get_logger(__name__)

EventHandler = Callable[[Envelope], Awaitable[None]]
TransactionalHandler = Callable[[Envelope, AsyncSession], Awaitable[None]]
BatchHandler = Callable[[list[Envelope]], Awaitable[None]]
TransactionalBatchHandler = Callable[[list[Envelope], AsyncSession], Awaitable[None]]

# Failures that no retry can fix: the message itself is wrong.
_PERMANENT = (ValidationError, InvalidInput)


def with_inbox(db: Database, consumer: str, apply: TransactionalHandler) -> EventHandler:
    """Run `apply` at most once per message id: the id is recorded in the same transaction
    as the effect, so a redelivery after commit finds it and changes nothing."""

    async def handle(envelope: Envelope) -> None:
        async with db.transaction() as session:
            if not await claim(session, consumer, envelope.id):
                log.info("duplicate message skipped", message_id=str(envelope.id))
                return
            await apply(envelope, session)

    return handle


def with_inbox_batch(db: Database, consumer: str, apply: TransactionalBatchHandler) -> BatchHandler:
    """`with_inbox` for a whole batch: one transaction, one claim statement; the messages
    already applied are left out of what `apply` sees."""

    async def handle(envelopes: list[Envelope]) -> None:
        async with db.transaction() as session:
            fresh = await claim_many(session, consumer, [e.id for e in envelopes])
            # A message may repeat inside one batch (a producer retry): apply it once.
            todo, seen = [], set()
            for envelope in envelopes:
                if envelope.id in fresh and envelope.id not in seen:
                    seen.add(envelope.id)
                    todo.append(envelope)
            await apply(todo, session)

    return handle


def subscribe_events(
    broker: KafkaBroker,
    settings: BusSettings,
    *,
    topics: Sequence[str],
    group_id: str,
    handler: EventHandler,
) -> None:
    offsets = handled_offsets(broker, settings.event_commit_interval_s)

    async def on_message(message: KafkaMessage) -> None:
        token = continue_trace(message.headers.get(TRACEPARENT))
        try:
            await _settle(message, offsets, _deliver(broker, settings, message, group_id, handler))
        finally:
            reset_trace(token)

    timing = group_timing(settings)
    broker.subscriber(
        *topics,
        group_id=group_id,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.event_fetch_wait_ms(),
        session_timeout_ms=timing.session_timeout_ms,
        heartbeat_interval_ms=timing.heartbeat_interval_ms,
        listener=CommitOnRevoke(offsets),
        ack_policy=AckPolicy.MANUAL,  # see _settle
        no_reply=True,
        title=f"{group_id}:events",
    )(on_message)


async def _settle(
    message: KafkaMessage, offsets: HandledOffsets, handling: Coroutine[Any, Any, None]
) -> None:
    """Commit the message's offset once it is handled (or parked in the DLQ), with the
    next batch of commits. If even the DLQ publish failed, the partition is sought back to
    the message, which comes again rather than being lost."""
    try:
        await handling
    except Exception:
        await message.nack()
        raise
    records = message.raw_message
    consumer: AIOKafkaConsumer = message.consumer
    offsets.handled(consumer, records if isinstance(records, tuple) else (records,))


async def _deliver(
    broker: KafkaBroker,
    settings: BusSettings,
    message: KafkaMessage,
    consumer: str,
    handler: EventHandler,
) -> None:
    record = message.raw_message
    assert not isinstance(record, tuple)
    await _deliver_record(broker, settings, record, consumer, handler)


async def _deliver_record(
    broker: KafkaBroker,
    settings: BusSettings,
    record: ConsumerRecord[bytes, bytes],
    consumer: str,
    handler: EventHandler,
) -> None:
    try:
        envelope = Envelope.model_validate_json(record.value or b"")
    except ValidationError as exc:
        await dead_letter_record(
            broker, record, consumer=consumer, reason=f"unparseable envelope: {summarize(exc)}"
        )
        return
    await _handle_with_retries(
        broker, settings, record, envelope, consumer=consumer, handler=handler
    )


async def _handle_with_retries(
    broker: KafkaBroker,
    settings: BusSettings,
    record: ConsumerRecord[bytes, bytes],
    envelope: Envelope,
    *,
    consumer: str,
    handler: EventHandler,
) -> None:
    for attempt in range(1, settings.max_attempts + 1):
        try:
            await handler(envelope)
            return
        except _PERMANENT as exc:
            await dead_letter_record(
                broker, record, consumer=consumer, reason=_summary(exc), attempts=attempt
            )
            return
        except Exception as exc:
            if attempt == settings.max_attempts:
                await dead_letter_record(
                    broker, record, consumer=consumer, reason=_summary(exc), attempts=attempt
                )
                return
            log.warning(
                "event handler failed; will retry",
                message_id=str(envelope.id),
                attempt=attempt,
                error=type(exc).__name__,
            )
            await asyncio.sleep(settings.retry_backoff_s * 2 ** (attempt - 1))


def _summary(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return f"invalid message: {summarize(exc)}"
    return f"{type(exc).__name__}: {exc}"


def subscribe_event_batches(
    broker: KafkaBroker,
    settings: BusSettings,
    *,
    topics: Sequence[str],
    group_id: str,
    batch_handler: BatchHandler,
    handler: EventHandler,
    max_records: int = 500,
) -> None:
    """Like `subscribe_events`, for high-volume topics: up to `max_records` messages are
    handled together (one transaction, one offset commit). If the batch fails, its messages
    are handled one by one with `handler` (retries, then the DLQ), so one bad message costs
    its batch some speed, never the other messages their effect."""

    offsets = handled_offsets(broker, settings.event_commit_interval_s)

    async def on_batch(message: KafkaMessage) -> None:
        await _settle(message, offsets, handle_batch(message))

    async def handle_batch(message: KafkaMessage) -> None:
        records = message.raw_message
        batch = list(records) if isinstance(records, tuple) else [records]
        parsed: list[tuple[ConsumerRecord[bytes, bytes], Envelope]] = []
        for record in batch:
            try:
                parsed.append((record, Envelope.model_validate_json(record.value or b"")))
            except ValidationError as exc:
                reason = f"unparseable envelope: {summarize(exc)}"
                await dead_letter_record(broker, record, consumer=group_id, reason=reason)
        if not parsed:
            return
        try:
            await batch_handler([envelope for _, envelope in parsed])
            return
        except Exception as exc:
            log.warning(
                "batch failed; handling its messages one by one",
                size=len(parsed),
                error=type(exc).__name__,
            )
        for record, envelope in parsed:
            await _handle_with_retries(
                broker, settings, record, envelope, consumer=group_id, handler=handler
            )

    timing = group_timing(settings)
    broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.event_fetch_wait_ms(),
        session_timeout_ms=timing.session_timeout_ms,
        heartbeat_interval_ms=timing.heartbeat_interval_ms,
        listener=CommitOnRevoke(offsets),
        ack_policy=AckPolicy.MANUAL,  # see _settle
        no_reply=True,
        title=f"{group_id}:event-batches",
    )(on_batch)

"""Event consumers: parse, retry a bounded number of times, then dead-letter.

A consumer gets a validated `Envelope`. Whatever it raises is retried with backoff up to
`max_attempts`; a message that cannot even be parsed, or that still fails, is parked in the
DLQ with its reason and the partition moves on. The offset is committed only after the
message is handled or parked, so a crash redelivers it (at-least-once); `with_inbox` turns
that into exactly-once effects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.broker import group_timing
from keel_common.bus.dead_letters import send_to_dead_letters
from keel_common.bus.tracing import TRACEPARENT, continue_trace, reset_trace
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_common.db.inbox import claim
from keel_common.errors import InvalidInput, summarize
from keel_common.logging import get_logger
from keel_common.settings import BusSettings

log = get_logger(__name__)

EventHandler = Callable[[Envelope], Awaitable[None]]
TransactionalHandler = Callable[[Envelope, AsyncSession], Awaitable[None]]

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


def subscribe_events(
    broker: KafkaBroker,
    settings: BusSettings,
    *,
    topics: Sequence[str],
    group_id: str,
    handler: EventHandler,
) -> None:
    async def on_message(message: KafkaMessage) -> None:
        token = continue_trace(message.headers.get(TRACEPARENT))
        try:
            await _deliver(broker, settings, message, group_id, handler)
        finally:
            reset_trace(token)

    timing = group_timing(settings)
    broker.subscriber(
        *topics,
        group_id=group_id,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.fetch_wait_ms(),
        session_timeout_ms=timing.session_timeout_ms,
        heartbeat_interval_ms=timing.heartbeat_interval_ms,
        # Commit after the handler; if even the DLQ publish fails we raise and the record is
        # sought back and redelivered rather than lost.
        ack_policy=AckPolicy.NACK_ON_ERROR,
        no_reply=True,
        title=f"{group_id}:events",
    )(on_message)


async def _deliver(
    broker: KafkaBroker,
    settings: BusSettings,
    message: KafkaMessage,
    consumer: str,
    handler: EventHandler,
) -> None:
    try:
        envelope = Envelope.model_validate_json(message.body)
    except ValidationError as exc:
        await send_to_dead_letters(
            broker, message, consumer=consumer, reason=f"unparseable envelope: {summarize(exc)}"
        )
        return

    for attempt in range(1, settings.max_attempts + 1):
        try:
            await handler(envelope)
            return
        except _PERMANENT as exc:
            await send_to_dead_letters(
                broker, message, consumer=consumer, reason=_summary(exc), attempts=attempt
            )
            return
        except Exception as exc:
            if attempt == settings.max_attempts:
                await send_to_dead_letters(
                    broker, message, consumer=consumer, reason=_summary(exc), attempts=attempt
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

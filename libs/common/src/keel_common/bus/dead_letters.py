"""Dead letters: where a message goes when it cannot be handled, with the reason why.

The record keeps the original key and value byte for byte, so it can be inspected and
replayed; the reason and origin travel as headers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from faststream.kafka.message import KafkaMessage

from keel_common.bus.topics import DEAD_LETTERS
from keel_common.logging import get_logger

log = get_logger(__name__)

HEADER_REASON = "keel-dlq-reason"
HEADER_SOURCE = "keel-dlq-source"
HEADER_CONSUMER = "keel-dlq-consumer"
HEADER_ATTEMPTS = "keel-dlq-attempts"

_MAX_REASON = 1000


async def send_to_dead_letters(
    broker: KafkaBroker,
    message: KafkaMessage,
    *,
    consumer: str,
    reason: str,
    attempts: int = 1,
) -> None:
    """Publish `message` to the DLQ; raises if the broker does not take it, so the caller
    does not ack a message that is neither handled nor parked."""
    record = message.raw_message
    assert not isinstance(record, tuple), "batches go record by record"
    await dead_letter_record(broker, record, consumer=consumer, reason=reason, attempts=attempts)


async def dead_letter_record(
    broker: KafkaBroker,
    record: ConsumerRecord[bytes, bytes],
    *,
    consumer: str,
    reason: str,
    attempts: int = 1,
) -> None:
    """`send_to_dead_letters` for one record of a batch."""
    source = f"{record.topic}/{record.partition}@{record.offset}"
    headers = {k: bytes(v).decode(errors="replace") for k, v in record.headers}
    headers.update(
        {
            HEADER_REASON: reason[:_MAX_REASON],
            HEADER_SOURCE: source,
            HEADER_CONSUMER: consumer,
            HEADER_ATTEMPTS: str(attempts),
            "keel-dlq-at": datetime.now(UTC).isoformat(),
        }
    )
    await broker.publish(record.value or b"", DEAD_LETTERS, key=record.key, headers=headers)
    log.warning(
        "message dead-lettered",
        source=source,
        consumer=consumer,
        reason=reason[:_MAX_REASON],
        attempts=attempts,
    )

"""Small helpers to look at the broker the way an operator would: raw records on topics."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker

from keel_common.bus.broker import make_broker
from keel_common.bus.topics import DEAD_LETTERS, TopicSpec, ensure_topics
from keel_common.settings import BusSettings


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def read_records(
    settings: BusSettings,
    topic: str,
    *,
    until: Callable[[list[ConsumerRecord[bytes, bytes]]], bool],
    timeout: float = 15.0,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of `topic` from the beginning, until `until(records)` or the timeout."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    deadline = time.monotonic() + timeout
    try:
        while not until(records) and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def dead_letters_for(
    settings: BusSettings, source_topic: str, *, count: int = 1, timeout: float = 15.0
) -> list[ConsumerRecord[bytes, bytes]]:
    def mine(records: list[ConsumerRecord[bytes, bytes]]) -> list[ConsumerRecord[bytes, bytes]]:
        return [r for r in records if header(r, "keel-dlq-source").startswith(f"{source_topic}/")]

    records = await read_records(
        settings, DEAD_LETTERS, until=lambda rs: len(mine(rs)) >= count, timeout=timeout
    )
    return mine(records)


def header(record: ConsumerRecord[bytes, bytes], name: str) -> str:
    for key, value in record.headers:
        if key == name:
            return bytes(value).decode()
    return ""


async def publish_raw(
    settings: BusSettings,
    topic: str,
    value: bytes,
    headers: dict[str, str] | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, value, headers=[(k, v.encode()) for k, v in (headers or {}).items()]
        )
    finally:
        await producer.stop()


@asynccontextmanager
async def running_broker(
    settings: BusSettings, *, topics: list[str], setup: Callable[[KafkaBroker], None]
) -> AsyncIterator[KafkaBroker]:
    """A FastStream broker with the subscribers `setup` registers, started and then
    stopped; the topics are created first, as a service's start-up does."""
    await ensure_topics(settings, [TopicSpec(t, 3) for t in topics] + [TopicSpec(DEAD_LETTERS, 1)])
    broker = make_broker(settings, client_id=unique("test"))
    setup(broker)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


async def eventually(check: Callable[[], object], timeout: float = 15.0) -> None:
    """Await until `check()` (sync or async) is truthy; fail with the last value."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


def encoded_forms(secret: str) -> list[bytes]:
    """The secret raw, and every run of base64 (standard and URL-safe) that encodes it
    wherever it sits in a longer blob: the middle of its encoding depends only on its own
    bytes and its offset modulo 3."""
    import base64

    raw = secret.encode()
    forms = [raw]
    for offset in range(3):
        start = (offset * 8 + 5) // 6
        end = ((offset + len(raw)) * 8) // 6
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            forms.append(encode(b"\0" * offset + raw)[start:end])
    return forms


async def assert_absent_from_kafka(settings: BusSettings, secrets: list[str]) -> int:
    """Read every `keel.*` topic from the beginning and fail if any record's value or
    headers contain one of `secrets`, raw or base64. Returns how many records it read."""
    forms = [form for s in secrets for form in encoded_forms(s)]
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith("keel.")]
    finally:
        await admin.close()

    async def scan(topic: str) -> int:
        async with readers:
            records = await read_records(settings, topic, until=lambda _: False, timeout=2.5)
        for record in records:
            blob = (record.value or b"") + b"".join(bytes(v) for _, v in record.headers)
            leaked = [f for f in forms if f in blob]
            assert not leaked, f"a secret was found on {topic}"
        return len(records)

    # Each topic is read for a fixed time (Tansu under-reports end offsets, so "read to the
    # end" cannot be asked); side by side, since one after another took half a minute.
    readers = asyncio.Semaphore(8)
    return sum(await asyncio.gather(*(scan(topic) for topic in topics)))

"""Event throughput: raw publish, the outbox relay alone, and the whole pipeline from
`publish_after_commit` through `OutboxRelay` to a subscriber `with_inbox`.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import ClassVar

from sqlalchemy import exists, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.infra import MIGRATIONS, Target, started
from bench.runtime import Options, log
from bench.stats import EventRow
from keel_common.bus.broker import make_broker
from keel_common.bus.events import subscribe_events, with_inbox
from keel_common.bus.topics import DEAD_LETTERS, TopicSpec, ensure_topics, events_topic
from keel_common.contracts.base import Contract, Envelope
from keel_common.db.database import Database
from keel_common.db.fabric import outbox
from keel_common.db.migrate import upgrade_to_head_async
from keel_common.outbox.relay import OutboxRelay
from keel_common.outbox.writer import publish_after_commit
from keel_common.settings import BusSettings

OUTBOX_TRANSACTION_ROWS = 100
RAW_PUBLISH_WINDOW = 1000


class BenchEvent(Contract):
    TYPE: ClassVar[str] = "bench.happened"
    n: int


async def bump_effect(envelope: Envelope, session: AsyncSession) -> None:
    """The trivial effect: one counter row per run (the tests' `effects` table)."""
    await session.execute(
        text(
            "INSERT INTO effects (name, count) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET count = effects.count + 1"
        ),
        {"name": "bench"},
    )


class Progress:
    """Counts handled events; `reached` fires once `target` have been handled."""

    def __init__(self) -> None:
        self.count = 0
        self.target = math.inf
        self.reached = asyncio.Event()
        # Time inside the wrapped handler (the inbox transaction), all events together.
        self.handler_ns = 0

    def expect(self, target: int) -> None:
        self.target = target
        self.reached.clear()
        if self.count >= target:
            self.reached.set()

    def counting(
        self, handler: Callable[[Envelope], Awaitable[None]]
    ) -> Callable[[Envelope], Awaitable[None]]:
        async def handle(envelope: Envelope) -> None:
            began = time.monotonic_ns()
            await handler(envelope)
            self.handler_ns += time.monotonic_ns() - began
            self.count += 1
            if self.count >= self.target:
                self.reached.set()

        return handle


async def raw_publish(settings: BusSettings, events: int) -> EventRow:
    """FastStream `broker.publish(no_confirm=True)`, acknowledgements awaited per window."""
    topic = events_topic(f"bench-raw-{uuid.uuid4().hex[:8]}")
    await ensure_topics(settings, [TopicSpec(topic, settings.topic_partitions)])
    payloads = [Envelope.wrap(BenchEvent(n=n)).to_bytes() for n in range(events)]
    async with started(make_broker(settings, client_id="bench-raw")) as broker:
        # One unmeasured round: connections and topic metadata.
        await broker.publish(payloads[0], topic)
        began = time.perf_counter()
        for start in range(0, events, RAW_PUBLISH_WINDOW):
            window = payloads[start : start + RAW_PUBLISH_WINDOW]
            pending = [
                await broker.publish(p, topic, key=str(n % 100).encode(), no_confirm=True)
                for n, p in enumerate(window, start)
            ]
            await asyncio.gather(*pending)
        seconds = time.perf_counter() - began
    return EventRow(
        settings.profile,
        "raw publish: `broker.publish(no_confirm=True)`",
        events,
        seconds,
        f"acks awaited every {RAW_PUBLISH_WINDOW}; envelopes serialized beforehand",
    )


async def wait_until_outbox_empty(db: Database, timeout: float) -> None:
    """The relay deletes rows only once the broker has acknowledged them, so an empty
    outbox means every event written so far is on its topic. (Topic end offsets would be
    the obvious check, but Tansu under-reports them after multi-record batches.)"""
    deadline = time.monotonic() + timeout
    query = select(exists().select_from(outbox))
    while True:
        async with db.transaction() as session:
            if not await session.scalar(query):
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the outbox still has rows after {timeout:g}s")
        await asyncio.sleep(0.01)


async def write_outbox(db: Database, topic: str, first: int, count: int) -> None:
    """`count` events through `publish_after_commit`, OUTBOX_TRANSACTION_ROWS a transaction."""
    for start in range(first, first + count, OUTBOX_TRANSACTION_ROWS):
        async with db.transaction() as session:
            for n in range(start, min(start + OUTBOX_TRANSACTION_ROWS, first + count)):
                await publish_after_commit(
                    session, topic, Envelope.wrap(BenchEvent(n=n)), key=f"aggregate-{n % 100}"
                )


async def relay_drain(settings: BusSettings, url: str, events: int) -> EventRow:
    """The relay alone: `events` rows already in the outbox, one relay, until all are on
    the topic. Rows are bulk-inserted, so this measures the relay, not the writer."""
    topic = events_topic(f"bench-drain-{uuid.uuid4().hex[:8]}")
    await ensure_topics(settings, [TopicSpec(topic, settings.topic_partitions)])
    db = Database(url, pool_size=2)
    watcher = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            envelopes = [Envelope.wrap(BenchEvent(n=n)) for n in range(events)]
            await session.execute(
                outbox.insert(),
                [
                    {
                        "message_id": e.id,
                        "topic": topic,
                        "key": f"aggregate-{n % 100}".encode(),
                        "value": e.to_bytes(),
                        "headers": e.headers(),
                    }
                    for n, e in enumerate(envelopes)
                ],
            )
        async with started(make_broker(settings, client_id="bench-drain")) as broker:
            relay = OutboxRelay(db, broker)
            began = time.perf_counter()
            relay.start()
            try:
                await wait_until_outbox_empty(watcher, timeout=120)
                seconds = time.perf_counter() - began
            finally:
                await relay.stop()
    finally:
        await watcher.close()
        await db.close()
    return EventRow(
        settings.profile,
        "outbox relay alone: pre-filled outbox -> all on the topic",
        events,
        seconds,
        "default batches of 500: select, publish all, await acks, delete",
    )


async def outbox_pipeline(settings: BusSettings, url: str, events: int) -> list[EventRow]:
    """Writer -> outbox -> relay -> topic -> subscriber with inbox, all running at once in
    this process, as a producing and a consuming service would."""
    topic = events_topic(f"bench-{uuid.uuid4().hex[:8]}")
    await ensure_topics(
        settings, [TopicSpec(topic, settings.topic_partitions), TopicSpec(DEAD_LETTERS, 1)]
    )
    group = f"bench-consumer-{uuid.uuid4().hex[:8]}"
    # Separate database handles, as producer and consumer would be two services.
    producer_db = Database(url, pool_size=5)
    consumer_db = Database(url, pool_size=5)
    watcher = Database(url, pool_size=1)
    progress = Progress()
    consumer_broker = make_broker(settings, client_id=group)
    subscribe_events(
        consumer_broker,
        settings,
        topics=[topic],
        group_id=group,
        handler=progress.counting(with_inbox(consumer_db, group, bump_effect)),
    )
    warmup = OUTBOX_TRANSACTION_ROWS
    try:
        async with (
            started(make_broker(settings, client_id="bench-producer")) as producer_broker,
            started(consumer_broker),
        ):
            relay = OutboxRelay(producer_db, producer_broker)
            relay.start()
            try:
                # Warm-up: the consumer group joins, connections and pools fill.
                progress.expect(warmup)
                await write_outbox(producer_db, topic, 0, warmup)
                await asyncio.wait_for(progress.reached.wait(), 60)

                progress.expect(warmup + events)
                progress.handler_ns = 0
                began = time.perf_counter()
                await write_outbox(producer_db, topic, warmup, events)
                written = time.perf_counter() - began
                await wait_until_outbox_empty(watcher, timeout=120)
                relayed = time.perf_counter() - began
                # From here on the consumer has the process to itself.
                left = warmup + events - progress.count
                await asyncio.wait_for(progress.reached.wait(), max(60, events / 20))
                consumed = time.perf_counter() - began
            finally:
                await relay.stop()
        async with consumer_db.transaction() as session:
            applied = await session.scalar(text("SELECT count FROM effects WHERE name = 'bench'"))
            inbox = await session.scalar(
                text("SELECT count(*) FROM keel_inbox WHERE consumer = :c"), {"c": group}
            )
    finally:
        for db in (watcher, producer_db, consumer_db):
            await db.close()
    if applied != warmup + events or inbox != warmup + events:
        log(f"WARNING: {applied} effects and {inbox} inbox rows for {warmup + events} events")
    tail = (
        f"; {left / (consumed - relayed):,.0f}/s once writer and relay were done"
        if left > 0 and consumed > relayed
        else ""
    )
    return [
        EventRow(
            settings.profile,
            "pipeline: outbox write (`publish_after_commit`, 100 a transaction)",
            events,
            written,
            "relay and consumer running meanwhile",
        ),
        EventRow(
            settings.profile,
            "pipeline: outbox relay, first commit -> all on the topic",
            events,
            relayed,
            f"last one on the topic {(relayed - written) * 1000:.0f} ms after the last commit",
        ),
        EventRow(
            settings.profile,
            "pipeline: end to end, first commit -> all applied with inbox",
            events,
            consumed,
            f"{progress.handler_ns / events / 1e6:.2f} ms/event in the inbox transaction, "
            f"{consumed * 1000 / events:.2f} ms/event in all{tail}",
        ),
    ]


async def event_benchmarks(target: Target, options: Options) -> list[EventRow]:
    settings = target.settings()
    name = f"bench_{target.profile}"
    await asyncio.to_thread(target.postgres.create_database, name)
    url = target.postgres.url(name)
    await upgrade_to_head_async(MIGRATIONS, url)
    rows = []
    if options.events > 0:
        rows.append(await raw_publish(settings, options.events))
        rows.append(await relay_drain(settings, url, options.events))
    if options.inbox_events > 0:
        rows += await outbox_pipeline(settings, url, options.inbox_events)
    for row in rows:
        log(f"events {row.broker} {row.measurement}: {row.rate:,.0f}/s")
    return rows

"""The cost of idle consumers: broker and client CPU while consumers poll an empty topic."""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.infra import Target
from bench.runtime import Options, stop_if_cancelled
from bench.stats import CpuMeter, IdleRow
from keel_common.bus.topics import TopicSpec, ensure_topics, events_topic


async def idle_polling(target: Target, options: Options) -> list[IdleRow]:
    """What consumers cost while nothing happens: each keeps one fetch open at a time, and
    an empty fetch comes back after `fetch_max_wait_ms`, so a short wait means many
    requests a second per consumer, for the broker and for the consumer's process."""
    settings = target.settings()
    topic = events_topic(f"bench-idle-{uuid.uuid4().hex[:8]}")
    await ensure_topics(settings, [TopicSpec(topic, settings.topic_partitions)])
    partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
    waits = sorted({settings.fetch_wait_ms(), *options.fetch_waits})
    rows = []
    for wait in waits:
        stop_if_cancelled()
        consumers = [
            AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, fetch_max_wait_ms=wait)
            for _ in range(options.idle_consumers)
        ]
        readers: list[asyncio.Task[None]] = []
        try:
            for consumer in consumers:
                await consumer.start()
                consumer.assign(partitions)
                readers.append(asyncio.create_task(_read_forever(consumer)))
            await asyncio.sleep(1)  # settle: positions known, fetches flowing
            meter = CpuMeter(target.broker_pid)
            began = time.monotonic()
            await asyncio.sleep(options.idle_seconds)
            use = meter.per_call(1)  # ms over the whole window
            elapsed_ms = (time.monotonic() - began) * 1000
        finally:
            for reader in readers:
                reader.cancel()
            await asyncio.gather(*readers, return_exceptions=True)
            for consumer in consumers:
                await consumer.stop()
        rows.append(
            IdleRow(
                settings.profile,
                wait,
                options.idle_consumers,
                use.broker / elapsed_ms,
                use.caller / elapsed_ms,
            )
        )
    return rows


async def _read_forever(consumer: AIOKafkaConsumer) -> None:
    async for _ in consumer:
        pass

"""Topic names, in one place, and idempotent topic provisioning."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from keel_common.bus.broker import client_security_kwargs
from keel_common.settings import BusSettings

DEAD_LETTERS = "keel.dlq"


def rpc_topic(service: str) -> str:
    """Where `service` receives requests; its instances share one consumer group."""
    return f"keel.rpc.{service}"


def reply_topic(service: str, instance: str) -> str:
    """One per caller instance, so a reply reaches the process that holds the future."""
    return f"keel.reply.{service}.{instance}"


def events_topic(domain: str) -> str:
    """Domain events of one bounded context, e.g. `keel.events.auth`."""
    return f"keel.events.{domain}"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


# Replies and requests are worthless after their deadline; keep them briefly.
SHORT_RETENTION = {"retention.ms": str(10 * 60 * 1000)}


async def ensure_topics(settings: BusSettings, specs: Iterable[TopicSpec]) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap, **client_security_kwargs(settings)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                s.name, num_partitions=s.partitions, replication_factor=1, topic_configs=s.config
            )
            for s in specs
            if s.name not in existing
        ]
        if not missing:
            return
        # Another instance may win the race; the topic is there, which is all we need.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(missing)
    finally:
        await admin.close()


async def until_announced(consumer: AIOKafkaConsumer, topic: str, timeout: float = 30) -> None:
    """Wait until the cluster's metadata lists `topic`, asking every 50 ms.

    Apache Kafka announces a topic it just created a moment later (over a second on a busy
    broker). A consumer assigned to it before then asks for its metadata again at once, in a
    loop, and aiokafka logs an error for every answer: hundreds per service start."""
    async with asyncio.timeout(timeout):
        # Polling: the broker has nothing to wait on for a topic's arrival.
        while True:
            if topic in await consumer.topics():
                return
            await asyncio.sleep(0.05)


async def delete_topics(settings: BusSettings, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.bootstrap, **client_security_kwargs(settings)
    )
    await admin.start()
    try:
        await admin.delete_topics(names)
    finally:
        await admin.close()

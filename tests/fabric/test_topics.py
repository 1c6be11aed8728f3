"""Waiting for a topic the cluster has not announced yet, quietly."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from aiokafka import AIOKafkaConsumer

from keel_common.bus.broker import client_security_kwargs
from keel_common.bus.topics import TopicSpec, ensure_topics, until_announced
from keel_common.settings import BusSettings
from tests.support.kafka import unique

pytestmark = pytest.mark.broker


async def test_a_topic_created_later_is_waited_for_without_errors(
    bus_settings: BusSettings, caplog: pytest.LogCaptureFixture
) -> None:
    topic = unique("announced")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bus_settings.bootstrap, **client_security_kwargs(bus_settings)
    )
    await consumer.start()
    try:

        async def create_soon() -> float:
            await asyncio.sleep(0.5)
            creating_at = time.monotonic()
            await ensure_topics(bus_settings, [TopicSpec(topic, 1)])
            return creating_at

        with caplog.at_level(logging.WARNING, logger="aiokafka"):
            creating = asyncio.create_task(create_soon())
            await until_announced(consumer, topic, timeout=30)
            announced_at = time.monotonic()
            creating_at = await creating
    finally:
        await consumer.stop()
    # It waited for the topic (which may show up before the create call returns).
    assert announced_at >= creating_at
    assert [r.getMessage() for r in caplog.records if r.name.startswith("aiokafka")] == []


async def test_a_topic_never_created_is_a_timeout(bus_settings: BusSettings) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bus_settings.bootstrap, **client_security_kwargs(bus_settings)
    )
    await consumer.start()
    try:
        with pytest.raises(TimeoutError):
            await until_announced(consumer, unique("never"), timeout=0.5)
    finally:
        await consumer.stop()

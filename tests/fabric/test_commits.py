"""Handled events' offsets are committed in the background, a few times a second: all of
them soon after they are handled, the rest when the service stops, and a rebalance hands
partitions over without any event being handled twice."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from faststream.kafka import KafkaBroker

from keel_common.bus.commits import commit_pending
from keel_common.bus.events import subscribe_events
from keel_common.contracts.base import Envelope
from keel_common.settings import BusSettings
from tests.support.contracts import Counted
from tests.support.kafka import eventually, running_broker, unique

pytestmark = pytest.mark.broker

EVENTS = 12


class Handled:
    def __init__(self) -> None:
        self.names: list[str] = []

    async def __call__(self, envelope: Envelope) -> None:
        self.names.append(envelope.open(Counted).name)


async def publish(settings: BusSettings, topic: str, names: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap)
    await producer.start()
    try:
        for name in names:
            # Keyed by name: the events spread over the topic's three partitions.
            value = Envelope.wrap(Counted(name=name)).to_bytes()
            await producer.send_and_wait(topic, value, key=name.encode())
    finally:
        await producer.stop()


async def committed(settings: BusSettings, group: str, topic: str) -> int:
    """How many records of `topic` the group has committed, over its three partitions.
    (Asked as a member that only reads offsets: it never joins the group.)"""
    reader = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, group_id=group)
    await reader.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(3)]
        reader.assign(partitions)
        return sum([await reader.committed(p) or 0 for p in partitions])
    finally:
        await reader.stop()


def names(prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(EVENTS)]


def member(
    settings: BusSettings, topic: str, group: str, handled: Handled
) -> Callable[[KafkaBroker], None]:
    """A broker setup that joins `group` on `topic`, recording what it handles."""

    def setup(broker: KafkaBroker) -> None:
        subscribe_events(broker, settings, topics=[topic], group_id=group, handler=handled)

    return setup


async def test_handled_events_are_committed_soon_after(bus_settings: BusSettings) -> None:
    topic, group = unique("commits"), unique("group")
    handled = Handled()
    setup = member(bus_settings, topic, group, handled)
    async with running_broker(bus_settings, topics=[topic], setup=setup):
        await publish(bus_settings, topic, names("e"))
        await eventually(lambda: len(handled.names) == EVENTS)

        async def all_committed() -> bool:
            return await committed(bus_settings, group, topic) == EVENTS

        await eventually(all_committed, timeout=10)
    assert sorted(handled.names) == sorted(names("e"))


async def test_a_stopping_service_commits_what_it_handled(bus_settings: BusSettings) -> None:
    """Long after the last event would be the next scheduled commit; `commit_pending` (which
    a service runs as it stops) does not wait for it."""
    settings = bus_settings.model_copy(update={"event_commit_interval_s": 60.0})
    topic, group = unique("commits"), unique("group")
    handled = Handled()
    setup = member(settings, topic, group, handled)
    async with running_broker(settings, topics=[topic], setup=setup) as broker:
        await publish(settings, topic, names("e"))
        await eventually(lambda: len(handled.names) == EVENTS)
        assert await committed(settings, group, topic) == 0  # the next commit is a minute away
        await commit_pending(broker)
        assert await committed(settings, group, topic) == EVENTS


async def test_a_rebalance_hands_over_partitions_without_handling_anything_twice(
    bus_settings: BusSettings,
) -> None:
    """The first member's pending offsets are a minute from their scheduled commit when a
    second member joins: they are committed as the partitions are revoked, so the member
    that takes a partition over starts after what was handled."""
    settings = bus_settings.model_copy(update={"event_commit_interval_s": 60.0})
    topic, group = unique("commits"), unique("group")
    first, second = Handled(), Handled()
    async with running_broker(
        settings, topics=[topic], setup=member(settings, topic, group, first)
    ):
        await publish(settings, topic, names("e"))
        await eventually(lambda: len(first.names) == EVENTS)
        joining = member(settings, topic, group, second)
        async with running_broker(settings, topics=[topic], setup=joining):
            await publish(settings, topic, names("f"))
            await eventually(lambda: len(first.names) + len(second.names) >= 2 * EVENTS, 30)
            assert second.names, "the second member never got a partition; this proves nothing"
    everything = first.names + second.names
    assert sorted(everything) == sorted(names("e") + names("f"))  # each exactly once

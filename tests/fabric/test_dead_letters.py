"""Poison messages are parked in the DLQ with their reason; the consumer keeps going."""

from __future__ import annotations

import pytest
from faststream.kafka import KafkaBroker

from keel_common.bus.events import subscribe_events
from keel_common.contracts.base import Envelope
from keel_common.settings import BusSettings
from tests.support.contracts import Counted
from tests.support.kafka import (
    dead_letters_for,
    eventually,
    header,
    publish_raw,
    running_broker,
    unique,
)

pytestmark = pytest.mark.broker


class Recorder:
    """A handler that fails on names starting with `fail` and records every attempt."""

    def __init__(self) -> None:
        self.attempts: list[str] = []
        self.applied: list[str] = []

    async def __call__(self, envelope: Envelope) -> None:
        name = envelope.open(Counted).name
        self.attempts.append(name)
        if name.startswith("fail"):
            raise ConnectionError("downstream unavailable")
        self.applied.append(name)


async def _run(settings: BusSettings, recorder: Recorder, messages: list[bytes]) -> str:
    topic, group = unique("dlq"), unique("group")

    def setup(broker: KafkaBroker) -> None:
        subscribe_events(broker, settings, topics=[topic], group_id=group, handler=recorder)

    async with running_broker(settings, topics=[topic], setup=setup):
        for message in messages:
            await publish_raw(settings, topic, message)
        await eventually(lambda: "after" in recorder.applied)
    return topic


async def test_unparseable_message_is_parked_with_its_reason(bus_settings: BusSettings) -> None:
    recorder = Recorder()
    after = Envelope.wrap(Counted(name="after")).to_bytes()
    topic = await _run(bus_settings, recorder, [b"\x00garbage", after])
    [parked] = await dead_letters_for(bus_settings, topic)
    assert parked.value == b"\x00garbage"
    assert header(parked, "keel-dlq-reason").startswith("unparseable envelope: ")
    assert recorder.applied == ["after"]


async def test_payload_that_breaks_its_contract_is_parked_without_retries(
    bus_settings: BusSettings,
) -> None:
    recorder = Recorder()
    bad = Envelope(type=Counted.TYPE, version=1, payload={"nom": "x"}).to_bytes()
    after = Envelope.wrap(Counted(name="after")).to_bytes()
    topic = await _run(bus_settings, recorder, [bad, after])
    [parked] = await dead_letters_for(bus_settings, topic)
    reason = header(parked, "keel-dlq-reason")
    assert "name: Field required" in reason
    assert header(parked, "keel-dlq-attempts") == "1"


async def test_failing_handler_is_retried_then_parked(bus_settings: BusSettings) -> None:
    recorder = Recorder()
    failing = Envelope.wrap(Counted(name="fail-1")).to_bytes()
    after = Envelope.wrap(Counted(name="after")).to_bytes()
    topic = await _run(bus_settings, recorder, [failing, after])
    [parked] = await dead_letters_for(bus_settings, topic)
    assert recorder.attempts.count("fail-1") == bus_settings.max_attempts
    assert header(parked, "keel-dlq-attempts") == str(bus_settings.max_attempts)
    assert header(parked, "keel-dlq-reason") == "ConnectionError: downstream unavailable"
    assert parked.value == failing

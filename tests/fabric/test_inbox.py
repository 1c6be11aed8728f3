"""At-least-once delivery plus the inbox gives exactly-once effects, even across a crash."""

from __future__ import annotations

import pytest
from faststream.kafka import KafkaBroker

from keel_common.bus.events import subscribe_events, with_inbox
from keel_common.bus.topics import TopicSpec, ensure_topics
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_common.db.inbox import claim_many
from keel_common.settings import BusSettings
from tests.support.consumer_process import CRASH_EXIT_CODE
from tests.support.contracts import Counted
from tests.support.effects import bump, count
from tests.support.kafka import (
    eventually,
    publish_raw,
    running_broker,
    unique,
)
from tests.support.processes import spawn, wait_for_line

pytestmark = pytest.mark.broker


async def test_the_same_event_delivered_twice_changes_state_once(
    fabric_db: tuple[Database, str], bus_settings: BusSettings
) -> None:
    db, _ = fabric_db
    topic, group = unique("inbox"), unique("group")
    event = Envelope.wrap(Counted(name="twice"))

    def setup(broker: KafkaBroker) -> None:
        subscribe_events(
            broker, bus_settings, topics=[topic], group_id=group,
            handler=with_inbox(db, group, bump),
        )  # fmt: skip

    # One partition, then a marker: once the marker is applied, both copies were handled.
    await ensure_topics(bus_settings, [TopicSpec(topic, 1)])
    marker = Envelope.wrap(Counted(name=f"marker-{group}"))
    async with running_broker(bus_settings, topics=[topic], setup=setup):
        await publish_raw(bus_settings, topic, event.to_bytes())
        await publish_raw(bus_settings, topic, event.to_bytes())
        await publish_raw(bus_settings, topic, marker.to_bytes())
        await eventually(lambda: _applied(db, f"marker-{group}"))
    assert await count(db, "twice") == 1


async def _applied(db: Database, name: str) -> bool:
    return await count(db, name) > 0


async def _crash_then_recover(
    db_and_url: tuple[Database, str], settings: BusSettings, *, inbox: bool
) -> tuple[int, str]:
    """Deliver one event to a consumer that dies after committing its effect and before
    acking; start a fresh consumer in the same group. Returns the effect count and the
    second consumer's output."""
    _, url = db_and_url
    topic, group = unique("crash"), unique("group")
    await ensure_topics(settings, [TopicSpec(topic, 1)])
    flags = [] if inbox else ["--no-inbox"]

    first = spawn(
        "tests.support.consumer_process", topic, group, "--crash-after-commit", *flags,
        settings=settings, database_url=url,
    )  # fmt: skip
    try:
        wait_for_line(first, "ready")
        await publish_raw(settings, topic, Envelope.wrap(Counted(name=group)).to_bytes())
        wait_for_line(first, "crashing after commit")
        assert first.wait(10) == CRASH_EXIT_CODE
    finally:
        first.kill()

    second = spawn(
        "tests.support.consumer_process", topic, group, *flags,
        settings=settings, database_url=url,
    )  # fmt: skip
    db = db_and_url[0]
    try:
        lines = wait_for_line(second, "ready")
        # The crashed consumer never committed its offset, so the record comes again: with
        # the inbox it is recognised and skipped; without, it is applied a second time.
        if inbox:
            lines += wait_for_line(second, "duplicate message skipped", timeout=30)
        else:
            await eventually(lambda: _count_is(db, group, 2), 30)
    finally:
        second.terminate()
        rest, _ = second.communicate(timeout=15)
    return await count(db, group), "".join(lines) + rest


async def _count_is(db: Database, name: str, expected: int) -> bool:
    return await count(db, name) == expected


async def test_crash_after_commit_before_ack_does_not_duplicate_the_effect(
    fabric_db: tuple[Database, str], bus_settings: BusSettings
) -> None:
    effects, output = await _crash_then_recover(fabric_db, bus_settings, inbox=True)
    assert "duplicate message skipped" in output  # it was redelivered...
    assert effects == 1  # ...and changed nothing the second time


async def test_without_the_inbox_the_same_crash_duplicates_the_effect(
    fabric_db: tuple[Database, str], bus_settings: BusSettings
) -> None:
    """The control experiment: proves the crash really causes a redelivery."""
    effects, _ = await _crash_then_recover(fabric_db, bus_settings, inbox=False)
    assert effects == 2


async def test_a_batch_claims_only_the_messages_not_applied_before(
    fabric_db: tuple[Database, str],
) -> None:
    db, _ = fabric_db
    consumer = unique("batch")
    first, second, third = (Envelope.wrap(Counted(name=n)).id for n in ("a", "b", "c"))
    async with db.transaction() as session:
        assert await claim_many(session, consumer, [first, second, first]) == {first, second}
    async with db.transaction() as session:
        assert await claim_many(session, consumer, [second, third]) == {third}
        assert await claim_many(session, unique("other"), [second]) == {second}
    async with db.transaction() as session:
        assert await claim_many(session, consumer, []) == set()

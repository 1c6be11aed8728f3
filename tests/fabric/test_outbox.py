"""The transactional outbox on a real Postgres and a real broker."""

from __future__ import annotations

import json
import signal
import uuid

import pytest
from aiokafka import ConsumerRecord
from sqlalchemy import func, select, text

from keel_common.bus.topics import TopicSpec, ensure_topics
from keel_common.bus.tracing import TRACEPARENT
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_common.db.fabric import outbox
from keel_common.outbox.relay import OutboxRelay
from keel_common.outbox.writer import publish_after_commit
from keel_common.settings import BusSettings
from tests.support.contracts import Counted
from tests.support.kafka import eventually, header, read_records, running_broker, unique
from tests.support.processes import spawn, wait_for_line

pytestmark = pytest.mark.broker


async def outbox_size(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(outbox)) or 0)


async def test_event_of_a_committed_change_is_published(
    fabric_db: tuple[Database, str], bus_settings: BusSettings
) -> None:
    db, _ = fabric_db
    topic = unique("outbox")
    event = Envelope.wrap(Counted(name="a"), actor="user:7")
    async with running_broker(bus_settings, topics=[topic], setup=lambda _: None) as broker:
        relay = OutboxRelay(db, broker)
        relay.start()
        try:
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO effects VALUES ('a', 1)"))
                await publish_after_commit(session, topic, event, key="a")
            records = await read_records(
                bus_settings, topic, until=lambda rs: any(r.key == b"a" for r in rs)
            )
            await eventually(lambda: _is_zero(db))
        finally:
            await relay.stop()
    [record] = records
    assert Envelope.model_validate_json(record.value) == event
    assert header(record, "keel-type") == "test.counted"
    assert header(record, TRACEPARENT).startswith("00-")


async def _is_zero(db: Database) -> bool:
    return await outbox_size(db) == 0


async def test_event_of_a_rolled_back_change_is_never_published(
    fabric_db: tuple[Database, str], bus_settings: BusSettings
) -> None:
    db, _ = fabric_db
    topic = unique("outbox")
    await ensure_topics(bus_settings, [TopicSpec(topic, 1)])  # one partition: order holds
    doomed = Envelope.wrap(Counted(name="doomed"))
    marker = Envelope.wrap(Counted(name="marker"))
    async with running_broker(bus_settings, topics=[topic], setup=lambda _: None) as broker:
        relay = OutboxRelay(db, broker)
        relay.start()
        try:
            with pytest.raises(RuntimeError):
                async with db.transaction() as session:
                    await session.execute(text("INSERT INTO effects VALUES ('doomed', 1)"))
                    await publish_after_commit(session, topic, doomed)
                    raise RuntimeError("the business change fails after the event was written")
            async with db.transaction() as session:
                await publish_after_commit(session, topic, marker)
            records = await read_records(
                bus_settings, topic, until=lambda rs: marker.id.hex in _ids(rs)
            )
        finally:
            await relay.stop()
    ids = _ids(records)
    assert marker.id.hex in ids
    assert doomed.id.hex not in ids
    async with db.transaction() as session:
        assert await session.scalar(text("SELECT count(*) FROM effects")) == 0


def _ids(records: list[ConsumerRecord[bytes, bytes]]) -> set[str]:
    return {uuid.UUID(json.loads(r.value)["id"]).hex for r in records}


async def test_relay_killed_mid_batch_loses_no_event(
    fabric_db: tuple[Database, str], bus_settings: BusSettings
) -> None:
    db, url = fabric_db
    topic = unique("outbox")
    await ensure_topics(bus_settings, [TopicSpec(topic, 3)])
    events = [Envelope.wrap(Counted(name=f"e{i}")) for i in range(3000)]
    async with db.transaction() as session:
        for event in events:
            await publish_after_commit(session, topic, event)

    relay = spawn("tests.support.relay_process", "20", settings=bus_settings, database_url=url)
    try:
        wait_for_line(relay, "ready")
        # Kill it as soon as the first events are out: it is in the middle of its batches.
        await read_records(bus_settings, topic, until=lambda rs: len(rs) >= 1)
        relay.send_signal(signal.SIGKILL)
        relay.wait(10)
    finally:
        relay.kill()
    # Some events reached Kafka, and rows remain: killed mid-way (possibly between a batch's
    # publish and its delete, which is the case that republishes).
    assert await outbox_size(db) > 0, "the relay finished before the kill; this proves nothing"

    restarted = spawn("tests.support.relay_process", "500", settings=bus_settings, database_url=url)
    try:
        wait_for_line(restarted, "ready")
        expected = {e.id.hex for e in events}
        records = await read_records(
            bus_settings, topic, until=lambda rs: expected <= _ids(rs), timeout=60
        )
        await eventually(lambda: _is_zero(db))
    finally:
        restarted.terminate()
        restarted.wait(10)
    assert expected <= _ids(records)

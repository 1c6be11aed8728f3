"""`keel.ingest.metadata`: what client SDKs and orchestrator integrations publish (run
started, step finished...). The same service layer as the API, in lenient mode: a late
event is skipped, a duplicate changes nothing (the inbox drops redeliveries, and client-
chosen run ids make re-sent events land on the same rows). An event that is wrong rather
than late goes to the dead-letter topic with its reason.

Trust: producers to this topic are authorized by Kafka ACLs (the integration's principal);
the envelope names the workspace and the actor.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.events import subscribe_event_batches, with_inbox, with_inbox_batch
from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.metadata import (
    INGEST_TOPIC,
    FinishStep,
    SetRunStatus,
    StartRun,
    StartStep,
)
from keel_common.db.database import Database
from keel_common.errors import InvalidInput, KeelError
from keel_common.settings import BusSettings
from keel_metadata.runs import repository
from keel_metadata.runs import service as runs
from keel_metadata.scope import Scope

Apply = Callable[[AsyncSession, Scope, Any], Awaitable[object]]

WRITES: dict[str, tuple[type[Contract], Apply]] = {
    StartRun.TYPE: (StartRun, runs.start_run),
    SetRunStatus.TYPE: (SetRunStatus, runs.set_run_status),
    StartStep.TYPE: (StartStep, runs.start_step),
    FinishStep.TYPE: (FinishStep, runs.finish_step),
}


def _entry(envelope: Envelope) -> tuple[type[Contract], Apply, Scope]:
    entry = WRITES.get(envelope.type)
    if entry is None:
        raise InvalidInput(f"{envelope.type} is not a metadata ingestion event")
    if envelope.workspace is None or envelope.actor is None:
        raise InvalidInput("an ingestion event names its workspace and actor")
    contract, write = entry
    return contract, write, Scope(envelope.workspace, envelope.actor, strict=False)


async def apply(envelope: Envelope, session: AsyncSession) -> None:
    """One event in its own savepoint (the slow path, after a batch failed)."""
    contract, write, scope = _entry(envelope)
    try:
        async with session.begin_nested():
            await write(session, scope, envelope.open(contract))
    except KeelError as refused:
        if refused.to_problem().status >= 500:
            raise
        # Wrong, not late: retrying cannot help.
        raise InvalidInput(f"{envelope.type} refused: {refused.detail}") from None


async def apply_batch(envelopes: list[Envelope], session: AsyncSession) -> None:
    """A batch in one transaction: the runs it touches are locked and their steps loaded
    up front (two queries), then every event is applied in memory and flushed together.
    Any refusal fails the whole batch; the subscriber then replays it one by one."""
    run_ids = {uuid.UUID(str(e.payload["run_id"])) for e in envelopes if e.payload.get("run_id")}
    await repository.preload(session, run_ids)
    for envelope in envelopes:
        contract, write, scope = _entry(envelope)
        await write(session, scope, envelope.open(contract))
    await session.flush()


def subscribe_ingestion(broker: KafkaBroker, bus: BusSettings, db: Database) -> None:
    consumer = "metadata-ingest"
    subscribe_event_batches(
        broker,
        bus,
        topics=[INGEST_TOPIC],
        group_id="keel-metadata-ingest",
        batch_handler=with_inbox_batch(db, consumer, apply_batch),
        handler=with_inbox(db, consumer, apply),
    )

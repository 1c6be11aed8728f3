"""`keel.ingest.metadata`: what client SDKs and orchestrator integrations publish (run
started, step finished...). The same service layer as the API, in lenient mode: a late
event is skipped, a duplicate changes nothing (the inbox drops redeliveries, and client-
chosen run ids make re-sent events land on the same rows). An event that is wrong rather
than late goes to the dead-letter topic with its reason.

Trust: producers to this topic are authorized by Kafka ACLs (the integration's principal);
the envelope names the workspace and the actor.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.events import subscribe_events, with_inbox
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
from keel_metadata.runs import service as runs
from keel_metadata.scope import Scope

Apply = Callable[[AsyncSession, Scope, Any], Awaitable[object]]

WRITES: dict[str, tuple[type[Contract], Apply]] = {
    StartRun.TYPE: (StartRun, runs.start_run),
    SetRunStatus.TYPE: (SetRunStatus, runs.set_run_status),
    StartStep.TYPE: (StartStep, runs.start_step),
    FinishStep.TYPE: (FinishStep, runs.finish_step),
}


async def apply(envelope: Envelope, session: AsyncSession) -> None:
    entry = WRITES.get(envelope.type)
    if entry is None:
        raise InvalidInput(f"{envelope.type} is not a metadata ingestion event")
    if envelope.workspace is None or envelope.actor is None:
        raise InvalidInput("an ingestion event names its workspace and actor")
    contract, write = entry
    scope = Scope(envelope.workspace, envelope.actor, strict=False)
    try:
        async with session.begin_nested():
            await write(session, scope, envelope.open(contract))
    except KeelError as refused:
        if refused.to_problem().status >= 500:
            raise
        # Wrong, not late: retrying cannot help.
        raise InvalidInput(f"{envelope.type} refused: {refused.detail}") from None


def subscribe_ingestion(broker: KafkaBroker, bus: BusSettings, db: Database) -> None:
    subscribe_events(
        broker,
        bus,
        topics=[INGEST_TOPIC],
        group_id="keel-metadata-ingest",
        handler=with_inbox(db, "metadata-ingest", apply),
    )

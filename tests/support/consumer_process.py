"""A consumer in its own process, so a test can crash it for real (`os._exit`, no ack).

    python -m tests.support.consumer_process TOPIC GROUP [--crash-after-commit] [--no-inbox]

Kafka and database come from KEEL_KAFKA_* and KEEL_TEST_DATABASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from faststream import FastStream

from keel_common.bus.broker import make_broker
from keel_common.bus.events import EventHandler, subscribe_events, with_inbox
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_common.logging import configure_logging
from keel_common.settings import BusSettings
from tests.support.effects import bump

CRASH_EXIT_CODE = 17


def crash_after(handler: EventHandler) -> EventHandler:
    """The effect is committed, the offset is not: the worst moment to die."""

    async def handle(envelope: Envelope) -> None:
        await handler(envelope)
        print(f"crashing after commit of {envelope.id}", flush=True)
        os._exit(CRASH_EXIT_CODE)

    return handle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("topic")
    parser.add_argument("group")
    parser.add_argument("--crash-after-commit", action="store_true")
    parser.add_argument("--no-inbox", action="store_true")
    args = parser.parse_args()

    configure_logging("test-consumer")
    settings = BusSettings()
    db = Database(os.environ["KEEL_TEST_DATABASE_URL"], pool_size=2)
    broker = make_broker(settings, client_id=args.group)

    async def without_inbox(envelope: Envelope) -> None:
        async with db.transaction() as session:
            await bump(envelope, session)

    handler: EventHandler = without_inbox if args.no_inbox else with_inbox(db, args.group, bump)
    if args.crash_after_commit:
        handler = crash_after(handler)
    subscribe_events(broker, settings, topics=[args.topic], group_id=args.group, handler=handler)

    app = FastStream(broker, logger=None)

    @app.after_startup
    async def ready() -> None:
        print("ready", flush=True)

    asyncio.run(app.run())
    sys.exit(0)


if __name__ == "__main__":
    main()

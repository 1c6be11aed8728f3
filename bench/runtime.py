"""What every stage of the benchmark shares: its options, progress logging, and the flag
that SIGINT/SIGTERM set to stop it.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType


@dataclass(frozen=True)
class Options:
    rpc_calls: int = 2000
    events: int = 20000
    # Events through the whole pipeline, consumer with inbox included: it handles a few
    # hundred a second, so this is smaller than `events` to keep the run short.
    inbox_events: int = 4000
    concurrency: Sequence[int] = (1, 8, 32)
    # Extra cross-process rows, one per value, at concurrency 1.
    fetch_waits: Sequence[int] = (1, 50, 500)
    # Cap on each of those rows: Tansu at 500 ms manages ~4 calls a second.
    variant_seconds: float = 5.0
    # Idle consumers whose polling cost is measured per fetch wait (0: not measured).
    idle_consumers: int = 0
    idle_seconds: float = 4.0


def log(message: str) -> None:
    """Progress goes to stderr; stdout is for the tables."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# Set by SIGINT/SIGTERM while a broker is being measured.
interrupted = threading.Event()


def stop_if_cancelled() -> None:
    """Raise if the run was interrupted. Cancelling the main task is not always enough (a
    cancellation that meets a call just finishing can be lost), so the benchmark also
    checks between calls and between stages."""
    task = asyncio.current_task()
    if interrupted.is_set() or (task is not None and task.cancelling()):
        raise asyncio.CancelledError


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """A SIGTERM handler: outside an event loop, SIGTERM unwinds like Ctrl-C, so that every
    process a benchmark started is stopped on the way out."""
    raise KeyboardInterrupt

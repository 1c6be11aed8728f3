"""Measurement arithmetic and result rows: nearest-rank percentiles, CPU time from /proc,
and the rows the tables are made of.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from keel_common.settings import BrokerProfile


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# -------------------------------------------------------------------------------- CPU

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a process so far (Linux /proc); NaN if unknown."""
    if pid is None:
        return math.nan
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return math.nan
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


@dataclass(frozen=True)
class CpuUse:
    """CPU milliseconds per call: this process (the caller, and the service when it runs
    in-process), the service process, the broker."""

    caller: float
    service: float | None
    broker: float


class CpuMeter:
    def __init__(self, broker_pid: int | None, service_pid: int | None = None) -> None:
        self._broker_pid = broker_pid
        self._service_pid = service_pid
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        return (
            time.process_time(),
            cpu_seconds(self._service_pid),
            cpu_seconds(self._broker_pid),
        )

    def per_call(self, calls: int) -> CpuUse:
        end = self._sample()
        caller, service, broker = (
            (b - a) * 1000 / max(calls, 1) for a, b in zip(self._start, end, strict=True)
        )
        return CpuUse(caller, service if self._service_pid is not None else None, broker)


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RpcRow:
    broker: BrokerProfile
    server: str  # "in-process" or "cross-process"
    fetch_max_wait_ms: int
    concurrency: int
    seconds: float
    latencies_ms: list[float]  # sorted
    cpu: CpuUse
    # Instrumented (cross-process) rows: phase -> sorted durations in ms, see PHASES.
    phases: dict[str, list[float]] | None = None

    HEADERS: ClassVar[list[str]] = [
        "broker", "server", "fetch_max_wait_ms", "concurrency", "calls", "calls/s",
        "p50 ms", "p95 ms", "p99 ms", "max ms",
        "CPU ms/call: caller", "service", "broker",
    ]  # fmt: skip

    @property
    def calls(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def pct(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def cells(self) -> list[str]:
        return [
            self.broker,
            self.server,
            str(self.fetch_max_wait_ms),
            str(self.concurrency),
            str(self.calls),
            f"{self.rate:,.0f}",
            *(fmt_ms(self.pct(q)) for q in (0.5, 0.95, 0.99, 1.0)),
            fmt_ms(self.cpu.caller),
            "(in caller)" if self.cpu.service is None else fmt_ms(self.cpu.service),
            fmt_ms(self.cpu.broker),
        ]


@dataclass(frozen=True)
class EventRow:
    broker: BrokerProfile
    measurement: str
    events: int
    seconds: float
    notes: str = ""

    HEADERS: ClassVar[list[str]] = [
        "broker",
        "measurement",
        "events",
        "seconds",
        "events/s",
        "notes",
    ]

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    def cells(self) -> list[str]:
        return [
            self.broker, self.measurement, str(self.events), f"{self.seconds:.2f}",
            f"{self.rate:,.0f}", self.notes,
        ]  # fmt: skip


@dataclass(frozen=True)
class IdleRow:
    broker: BrokerProfile
    fetch_max_wait_ms: int
    consumers: int
    broker_cores: float
    client_cores: float

    HEADERS: ClassVar[list[str]] = [
        "broker", "fetch_max_wait_ms", "idle consumers", "broker CPU (cores)",
        "consumers' process CPU (cores)",
    ]  # fmt: skip

    def cells(self) -> list[str]:
        return [
            self.broker, str(self.fetch_max_wait_ms), str(self.consumers),
            f"{self.broker_cores:.2f}", f"{self.client_cores:.2f}",
        ]  # fmt: skip


@dataclass
class Results:
    rpc: list[RpcRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    idle: list[IdleRow] = field(default_factory=list)


def fmt_ms(value: float) -> str:
    return f"{value:.2f}"

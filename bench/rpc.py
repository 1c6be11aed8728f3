"""RPC round trips: `RpcClient.call` against the echo `RpcRouter`, in-process and in a child
process, the latter stamped at every hop to say where each call's time went.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from bench.echo import CURRENT_CALL, BenchPing, BenchPong, Stamps, add_stamping
from bench.infra import Target, in_process_server, server_process, started
from bench.runtime import Options, log, stop_if_cancelled
from bench.stats import CpuMeter, CpuUse, RpcRow
from keel_common.bus.broker import make_broker
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.topics import DEAD_LETTERS, TopicSpec, ensure_topics, rpc_topic
from keel_common.contracts.base import Envelope
from keel_common.settings import BusSettings

WARMUP_CALLS = 200
# Before the first measured row, calls at concurrency 8 for this long: a fresh Apache Kafka
# JVM is still compiling its hot paths, and the first rows would measure that.
BROKER_WARMUP_SECONDS = 3.0
# A slow configuration (Tansu with a long fetch wait) gets fewer warm-up calls.
WARMUP_MAX_SECONDS = 2.0


@dataclass(frozen=True)
class CallRecord:
    request_id: str | None  # known when the caller's broker is stamped
    start_ns: int
    end_ns: int

    @property
    def ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


async def call_once(client: RpcClient, service: str, n: int, timeout: float | None = None) -> None:
    stop_if_cancelled()
    reply = await client.call(service, BenchPing(n=n), BenchPong, timeout=timeout)
    if reply.n != n:
        raise AssertionError(f"reply {reply.n} answers another request than {n}")


async def wait_until_answering(client: RpcClient, service: str, timeout: float = 60) -> None:
    """A fresh consumer group starts at the end of the topic only once it has joined, and
    requests sent before that are never seen; retry short calls until one is answered."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            await call_once(client, service, -1, timeout=1.0)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise


async def warm_up(client: RpcClient, service: str) -> None:
    await wait_until_answering(client, service)
    deadline = time.monotonic() + WARMUP_MAX_SECONDS
    for i in range(WARMUP_CALLS):
        if time.monotonic() > deadline:
            break
        await call_once(client, service, i)


async def run_calls(
    client: RpcClient,
    service: str,
    calls: int,
    concurrency: int,
    max_seconds: float | None = None,
) -> tuple[float, list[CallRecord]]:
    """`calls` calls from `concurrency` closed-loop callers; (elapsed s, one record per call).
    With `max_seconds`, callers stop starting new calls once that much time has passed."""
    records: list[CallRecord] = []
    remaining = calls
    began = time.monotonic_ns()
    deadline = began + int(max_seconds * 1e9) if max_seconds is not None else None

    async def caller() -> None:
        nonlocal remaining
        current: dict[str, str] = {}
        CURRENT_CALL.set(current)
        while remaining > 0 and (deadline is None or time.monotonic_ns() < deadline):
            remaining -= 1
            current.clear()
            start = time.monotonic_ns()
            await call_once(client, service, remaining)
            records.append(CallRecord(current.get("id"), start, time.monotonic_ns()))

    await asyncio.gather(*(caller() for _ in range(concurrency)))
    return (time.monotonic_ns() - began) / 1e9, records


@dataclass(frozen=True)
class Run:
    concurrency: int
    seconds: float
    records: list[CallRecord]
    cpu: CpuUse

    def latencies(self) -> list[float]:
        return sorted(r.ms for r in self.records)


async def measure_levels(
    client: RpcClient,
    service: str,
    levels: Sequence[int],
    calls: int,
    meter: Callable[[], CpuMeter],
    max_seconds: float | None = None,
    broker_warmup_seconds: float = 0.0,
) -> list[Run]:
    await warm_up(client, service)
    if broker_warmup_seconds > 0:
        await run_calls(client, service, 10**9, 8, max_seconds=broker_warmup_seconds)
    runs = []
    for level in levels:
        stop_if_cancelled()
        cpu = meter()
        seconds, records = await run_calls(client, service, calls, level, max_seconds)
        runs.append(Run(level, seconds, records, cpu.per_call(len(records))))
    return runs


def log_row(row: RpcRow) -> None:
    log(
        f"rpc {row.broker} {row.server} fetch_max_wait_ms={row.fetch_max_wait_ms} "
        f"c={row.concurrency}: {row.rate:,.0f} calls/s, p50 {row.pct(0.5):.2f} ms, "
        f"p99 {row.pct(0.99):.2f} ms"
    )


async def provision_service(settings: BusSettings) -> str:
    service = f"bench-echo-{uuid.uuid4().hex[:8]}"
    await ensure_topics(
        settings,
        [TopicSpec(rpc_topic(service), settings.topic_partitions), TopicSpec(DEAD_LETTERS, 1)],
    )
    return service


async def rpc_in_process(target: Target, options: Options) -> list[RpcRow]:
    """Caller and service in this process and event loop, each with its own broker client,
    as the library's tests run them; nothing instrumented."""
    settings = target.settings()
    service = await provision_service(settings)
    async with (
        in_process_server(settings, service),
        started(make_broker(settings, client_id="bench-caller")) as broker,
    ):
        client = RpcClient(broker, settings, caller="bench")
        await client.start()
        try:
            runs = await measure_levels(
                client,
                service,
                options.concurrency,
                options.rpc_calls,
                lambda: CpuMeter(target.broker_pid),
                broker_warmup_seconds=BROKER_WARMUP_SECONDS,
            )
        finally:
            await client.stop()
    rows = []
    for run in runs:
        row = RpcRow(
            settings.profile, "in-process", settings.fetch_wait_ms(), run.concurrency,
            run.seconds, run.latencies(), run.cpu,
        )  # fmt: skip
        log_row(row)
        rows.append(row)
    return rows


class StampedRpcClient(RpcClient):
    """The library's client, its reply listener also noting when each reply arrived."""

    def __init__(self, broker: KafkaBroker, settings: BusSettings, stamps: Stamps) -> None:
        super().__init__(broker, settings, caller="bench")
        self.stamps = stamps

    async def _listen(self) -> None:
        # RpcClient._listen, plus the stamp.
        assert self._consumer is not None
        async for record in self._consumer:
            arrived = time.monotonic_ns()
            try:
                answer = Envelope.model_validate_json(record.value)
            except ValidationError:
                continue
            if answer.causation_id is None:
                continue
            self.stamps.setdefault(str(answer.causation_id), {})["client_reply"] = arrived
            future = self._pending.get(answer.causation_id)
            if future is not None and not future.done():
                future.set_result(answer)


# (label, from stamp, to stamp): where one call's time goes. `client_*` and `server_*` are
# stamped by bench.echo's middleware, `handler` by the handler, `client_reply` by
# StampedRpcClient, `call_*` around `RpcClient.call`.
PHASES: list[tuple[str, str, str]] = [
    ("call -> request send (envelope)", "call_start", "client_pub_start"),
    ("request publish (send -> ack)", "client_pub_start", "client_pub_end"),
    ("request delivery (send -> service subscriber)", "client_pub_start", "server_recv"),
    ("subscriber -> handler (parse, dispatch)", "server_recv", "handler"),
    ("handler -> reply send", "handler", "server_pub_start"),
    ("reply publish (send -> ack)", "server_pub_start", "server_pub_end"),
    ("reply delivery (send -> caller's listener)", "server_pub_start", "client_reply"),
    ("listener -> call returns", "client_reply", "call_end"),
    ("total call", "call_start", "call_end"),
]


def phases_of(records: list[CallRecord], *stamp_sets: Stamps) -> dict[str, list[float]]:
    phases: dict[str, list[float]] = {label: [] for label, _, _ in PHASES}
    for record in records:
        if record.request_id is None:
            continue
        entry = {"call_start": record.start_ns, "call_end": record.end_ns}
        for stamps in stamp_sets:
            entry.update(stamps.get(record.request_id, {}))
        if all(start in entry and end in entry for _, start, end in PHASES):
            for label, start, end in PHASES:
                phases[label].append((entry[end] - entry[start]) / 1e6)
    return {label: sorted(values) for label, values in phases.items()}


async def rpc_cross_process(
    target: Target,
    options: Options,
    *,
    fetch_max_wait_ms: int | None = None,
    levels: Sequence[int] | None = None,
    calls: int | None = None,
    max_seconds: float | None = None,
) -> list[RpcRow]:
    """The service in a child process, as in production. Both sides stamp each call (a dict
    write per hop, microseconds), so every row also says where its time went."""
    overrides = {} if fetch_max_wait_ms is None else {"fetch_max_wait_ms": fetch_max_wait_ms}
    settings = target.settings(**overrides)
    service = await provision_service(settings)
    stamps_file = target.home / f"{service}.stamps.json"
    stamps: Stamps = {}
    async with (
        server_process(settings, service, target.home, stamps_file) as process,
        started(make_broker(settings, client_id="bench-caller")) as broker,
    ):
        add_stamping(broker, stamps, "client")
        client = StampedRpcClient(broker, settings, stamps)
        await client.start()
        try:
            runs = await measure_levels(
                client,
                service,
                levels or options.concurrency,
                calls or options.rpc_calls,
                lambda: CpuMeter(target.broker_pid, process.pid),
                max_seconds,
            )
        finally:
            await client.stop()
    server_stamps: Stamps = {}
    if stamps_file.exists():
        server_stamps = json.loads(stamps_file.read_text())
    else:
        log(f"WARNING: the service process left no stamps in {stamps_file}")
    rows = []
    for run in runs:
        row = RpcRow(
            settings.profile, "cross-process", settings.fetch_wait_ms(), run.concurrency,
            run.seconds, run.latencies(), run.cpu, phases_of(run.records, stamps, server_stamps),
        )  # fmt: skip
        log_row(row)
        rows.append(row)
    return rows


async def rpc_benchmarks(target: Target, options: Options) -> list[RpcRow]:
    rows = await rpc_in_process(target, options)
    rows += await rpc_cross_process(target, options)
    default_wait = target.settings().fetch_wait_ms()
    for wait in options.fetch_waits:
        stop_if_cancelled()
        if wait != default_wait:
            rows += await rpc_cross_process(
                target,
                options,
                fetch_max_wait_ms=wait,
                levels=[1],
                calls=max(1, options.rpc_calls // 4),
                max_seconds=options.variant_seconds,
            )
    return rows

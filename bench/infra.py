"""The infrastructure under test, started fresh for the run and stopped on the way out: the
embedded Postgres, each broker, and the RPC echo service (in this process or a child).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker

from bench.echo import echo_router
from bench.runtime import log
from keel_common.bus.broker import make_broker
from keel_common.settings import BrokerProfile, BusSettings
from keel_devstack.apache_kafka import ApacheKafka
from keel_devstack.postgres import EmbeddedPostgres
from keel_devstack.process import ManagedProcess, free_port
from keel_devstack.tansu import Tansu

REPO = Path(__file__).resolve().parents[1]
# The fabric tests' schema: outbox and inbox tables plus an `effects` counter table.
MIGRATIONS = REPO / "tests" / "support" / "migrations"


@dataclass(frozen=True)
class Target:
    """One running broker under test, and the Postgres beside it."""

    profile: BrokerProfile
    bootstrap: str
    broker_pid: int | None
    postgres: EmbeddedPostgres
    home: Path

    def settings(self, **overrides: Any) -> BusSettings:
        return BusSettings(bootstrap=self.bootstrap, profile=self.profile, **overrides)


@contextmanager
def running_postgres(home: Path) -> Iterator[EmbeddedPostgres]:
    postgres = EmbeddedPostgres(home / "postgres", free_port())
    try:
        began = time.perf_counter()
        postgres.start()
        log(f"postgres up in {time.perf_counter() - began:.1f}s")
        yield postgres
    finally:
        postgres.stop()


@contextmanager
def running_broker(
    profile: BrokerProfile, postgres: EmbeddedPostgres, home: Path
) -> Iterator[Target]:
    """Start a fresh broker of this profile."""
    server: Tansu | ApacheKafka = (
        Tansu(home / "tansu", free_port())
        if profile == "tansu"
        else ApacheKafka(home / "apache-kafka", free_port())
    )
    try:
        began = time.perf_counter()
        server.start()
        log(f"{profile} up in {time.perf_counter() - began:.1f}s at {server.bootstrap}")
        pid = server.process.pid if server.process is not None else None
        yield Target(profile, server.bootstrap, pid, postgres, home / f"run-{profile}")
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
async def in_process_server(settings: BusSettings, service: str) -> AsyncIterator[None]:
    """The echo service on its own broker client, in this process and event loop."""
    broker = make_broker(settings, client_id=f"bench-{service}")
    echo_router(service).bind(broker, settings)
    async with started(broker):
        yield


@asynccontextmanager
async def server_process(
    settings: BusSettings, service: str, home: Path, stamps_file: Path
) -> AsyncIterator[ManagedProcess]:
    """The echo service in a child process (bench.rpc_server_process), stopped on exit."""
    log_path = home / "logs" / f"{service}.log"
    process = ManagedProcess(
        name=f"rpc server {service}",
        argv=[
            sys.executable, "-m", "bench.rpc_server_process", service,
            "--stamps", str(stamps_file),
        ],
        log_path=log_path,
        env={
            "KEEL_KAFKA_BOOTSTRAP": settings.bootstrap,
            "KEEL_KAFKA_PROFILE": settings.profile,
            "KEEL_KAFKA_FETCH_MAX_WAIT_MS": str(settings.fetch_wait_ms()),
        },
        cwd=REPO,
    )  # fmt: skip

    def is_ready() -> bool:
        return "ready" in log_path.read_text(errors="replace").split()

    try:
        process.start()
        await asyncio.to_thread(process.wait_ready, is_ready, 60)
        yield process
    finally:
        await asyncio.to_thread(process.stop)

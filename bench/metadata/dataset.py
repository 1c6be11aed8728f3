"""The seeded dataset: kept for a later run with the same `--home`, its size, bulk-load settings."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bench.metadata.results import BenchError
from bench.runtime import log
from tools.seed_metadata import SeedReport, asyncpg_url

DATASET_FILE = "bench-metadata.json"


def save_dataset(
    home: Path, workspace: uuid.UUID, seeded: SeedReport, now: datetime, steps: int
) -> None:
    """What a later run with the same `--home` needs to measure this dataset again."""
    record = {
        "workspace": str(workspace),
        "now": now.isoformat(),
        "steps_per_run": steps,
        "seeded": dataclasses.asdict(seeded),
    }
    (home / DATASET_FILE).write_text(json.dumps(record, indent=2))


def load_dataset(
    home: Path, runs: int, steps: int
) -> tuple[uuid.UUID, SeedReport, datetime] | None:
    try:
        record = json.loads((home / DATASET_FILE).read_text())
    except FileNotFoundError:
        return None
    fields = record["seeded"]
    if fields["runs"] != runs or record["steps_per_run"] != steps:
        raise BenchError(
            f"{home} holds {fields['runs']:,} runs of {record['steps_per_run']} steps, "
            f"not {runs:,} of {steps}: use another --home"
        )
    fields["pipelines"] = tuple(fields["pipelines"])
    fields["stacks"] = tuple(fields["stacks"])
    seeded = SeedReport(**fields)
    return uuid.UUID(record["workspace"]), seeded, datetime.fromisoformat(record["now"])


async def database_size(database_url: str) -> str:
    conn = await asyncpg.connect(asyncpg_url(database_url))
    try:
        size: str = await conn.fetchval(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        )
    finally:
        await conn.close()
    return size


@asynccontextmanager
async def bulk_load_settings(database_url: str) -> AsyncIterator[None]:
    """Checkpoints far apart while seeding (this stack's own Postgres, defaults otherwise:
    1 GB of WAL makes a checkpoint every few seconds of COPY, and each one makes the next
    writes log whole pages), then back to the defaults and a checkpoint, so that the
    measurements run on the stock configuration with nothing left to flush."""
    conn = await asyncpg.connect(asyncpg_url(database_url))
    try:
        await conn.execute("ALTER SYSTEM SET max_wal_size = '16GB'")
        await conn.execute("ALTER SYSTEM SET checkpoint_timeout = '1h'")
        await conn.execute("SELECT pg_reload_conf()")
        yield
    finally:
        await conn.execute("ALTER SYSTEM RESET max_wal_size")
        await conn.execute("ALTER SYSTEM RESET checkpoint_timeout")
        await conn.execute("SELECT pg_reload_conf()")
        started = time.perf_counter()
        await conn.execute("CHECKPOINT")
        log(f"checkpoint after seeding: {time.perf_counter() - started:.0f}s")
        await conn.close()

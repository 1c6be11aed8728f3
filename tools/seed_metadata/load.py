"""The bulk load: batches of runs by COPY, one transaction each, then (VACUUM) ANALYZE."""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from tools.seed_metadata.artifacts import (
    artifact_version_rows,
    run_metadata_rows,
    step_input_rows,
)
from tools.seed_metadata.catalog import _catalog
from tools.seed_metadata.columns import (
    ARTIFACT_TABLES,
    ARTIFACT_VERSION_COLUMNS,
    RUN_COLUMNS,
    RUN_METADATA_COLUMNS,
    STEP_COLUMNS,
    STEP_INPUT_COLUMNS,
    Record,
)
from tools.seed_metadata.plan import TAGS, Plan, SeedReport, stack_names
from tools.seed_metadata.runs import RunSketch, run_rows, sketch_batch, step_rows


def _log(message: str) -> None:
    print(f"[seed] {message}", file=sys.stderr, flush=True)


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class Counts:
    runs: int = 0
    steps: int = 0
    artifact_versions: int = 0
    step_inputs: int = 0
    run_metadata: int = 0


async def _copy(conn: Any, table: str, rows: Iterator[Record], columns: Sequence[str]) -> int:
    status: str = await conn.copy_records_to_table(table, records=rows, columns=columns)
    return int(status.rsplit(" ", 1)[-1])  # "COPY <n>"


async def _copy_batch(
    conn: Any, plan: Plan, sketches: list[RunSketch], numbers: dict[uuid.UUID, int]
) -> Counts:
    """One batch, one transaction: runs, steps, and with artifact tables their outputs,
    inputs and run metadata."""
    counts = Counts()
    async with conn.transaction():
        counts.runs = await _copy(conn, "pipeline_runs", run_rows(sketches), RUN_COLUMNS)
        counts.steps = await _copy(conn, "step_runs", step_rows(sketches), STEP_COLUMNS)
        if numbers:
            counts.artifact_versions = await _copy(
                conn,
                "artifact_versions",
                artifact_version_rows(plan, sketches, numbers),
                ARTIFACT_VERSION_COLUMNS,
            )
            counts.step_inputs = await _copy(
                conn, "step_inputs", step_input_rows(sketches), STEP_INPUT_COLUMNS
            )
            counts.run_metadata = await _copy(
                conn, "run_metadata", run_metadata_rows(plan, sketches), RUN_METADATA_COLUMNS
            )
            await conn.executemany(
                "UPDATE artifacts SET latest_version = $2 WHERE id = $1", list(numbers.items())
            )
    return counts


async def seed(database_url: str, plan: Plan, *, vacuum: bool = False) -> SeedReport:
    """Load `plan` into the metadata database at `database_url`."""
    began = time.perf_counter()
    conn = await asyncpg.connect(asyncpg_url(database_url))
    try:
        # This session's commits need not wait for the WAL flush: a crash mid-seed loses
        # the last batches, nothing else.
        await conn.execute("SET synchronous_commit = off")
        async with conn.transaction():
            catalog, numbers = await _catalog(conn, plan)
        artifacts = bool(numbers)
        _log(
            f"{len(catalog.stack_ids)} stacks, {len(catalog.pipelines)} pipelines, "
            f"{len(numbers)} artifacts ready; seeding {plan.runs:,} runs x {plan.steps} steps "
            f"in batches of {plan.batch:,}"
            + ("" if artifacts else " (no artifact tables in this schema: runs and steps only)")
        )
        total = Counts()
        for first in range(0, plan.runs, plan.batch):
            count = min(plan.batch, plan.runs - first)
            sketches = sketch_batch(plan, catalog, first, count)
            counts = await _copy_batch(conn, plan, sketches, numbers)
            for name, value in vars(counts).items():
                setattr(total, name, getattr(total, name) + value)
            elapsed = time.perf_counter() - began
            _log(
                f"{first + count:,}/{plan.runs:,} runs, {total.steps:,} steps"
                + (
                    f", {total.artifact_versions:,} artifact versions, "
                    f"{total.step_inputs:,} step inputs, {total.run_metadata:,} metadata"
                    if artifacts
                    else ""
                )
                + f" in {elapsed:.0f}s ({(first + count) / elapsed:,.0f} runs/s)"
            )
        tables = ["pipeline_runs", "step_runs", "pipelines", "pipeline_versions", "stacks"]
        if artifacts:
            tables += list(ARTIFACT_TABLES)
        verb = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        started = time.perf_counter()
        await conn.execute(f"{verb} {', '.join(tables)}")
        _log(f"{verb} took {time.perf_counter() - started:.0f}s")
    finally:
        await conn.close()
    return SeedReport(
        runs=total.runs,
        steps=total.steps,
        seconds=time.perf_counter() - began,
        pipelines=tuple(p.name for p in catalog.pipelines),
        stacks=tuple(stack_names(plan)),
        tags=dict(TAGS),
        artifact_versions=total.artifact_versions if artifacts else None,
        step_inputs=total.step_inputs,
        run_metadata=total.run_metadata,
    )

"""The run list and run detail measurements: the queries, the sampled runs, the timings."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench.metadata.http import WARMUP, api, timed
from bench.metadata.results import BenchError, Row
from bench.runtime import log
from tools.seed_metadata import SeedReport, asyncpg_url, project_of

PAGE = 50


@dataclass(frozen=True)
class ListQuery:
    label: str
    params: dict[str, Any]
    # The same filter in SQL over `pipeline_runs` ($1 is the workspace), to count matches.
    where: str = "TRUE"
    args: tuple[Any, ...] = ()


def list_queries(seeded: SeedReport, now: datetime) -> list[ListQuery]:
    pipeline = seeded.pipelines[min(4, len(seeded.pipelines) - 1)]
    top = seeded.pipelines[0]
    project = project_of(top)
    common_tag = max(seeded.tags, key=lambda t: seeded.tags[t] if t != "nightly" else 0)
    rare_tag = min(seeded.tags, key=lambda t: seeded.tags[t])
    stack = seeded.stacks[-1]
    week_end = now - timedelta(days=93)
    week_start = week_end - timedelta(days=7)
    by_name = "(SELECT id FROM {} WHERE workspace_id = $1 AND name = $2)"
    return [
        ListQuery("no filter", {}),
        ListQuery("status=failed", {"status": "failed"}, "status = $2", ("failed",)),
        ListQuery("status=running", {"status": "running"}, "status = $2", ("running",)),
        ListQuery(f"project={project}", {"project": project}, "project = $2", (project,)),
        ListQuery(
            f"pipeline={pipeline}",
            {"pipeline": pipeline},
            f"pipeline_id = {by_name.format('pipelines')}",
            (pipeline,),
        ),
        ListQuery(
            f"stack={stack}", {"stack": stack}, f"stack_id = {by_name.format('stacks')}", (stack,)
        ),
        ListQuery(
            "created_by=service:scheduler",
            {"created_by": "service:scheduler"},
            "created_by = $2",
            ("service:scheduler",),
        ),
        ListQuery(
            f"tag={common_tag}", {"tag": common_tag}, "tags @> ARRAY[$2]::varchar[]", (common_tag,)
        ),
        ListQuery(
            f"tag={rare_tag}", {"tag": rare_tag}, "tags @> ARRAY[$2]::varchar[]", (rare_tag,)
        ),
        ListQuery(
            f"name_prefix={top}-",
            {"name_prefix": f"{top}-"},
            "starts_with(name, $2)",
            (f"{top}-",),
        ),
        # Run numbers 1234, 12340-12349, 123400-123499...: a few dozen runs of a million.
        ListQuery(
            f"name_prefix={top}-1234",
            {"name_prefix": f"{top}-1234"},
            "starts_with(name, $2)",
            (f"{top}-1234",),
        ),
        ListQuery(
            "created_after/before: one week, 3 months ago",
            {"created_after": week_start.isoformat(), "created_before": week_end.isoformat()},
            "created_at >= $2 AND created_at < $3",
            (week_start, week_end),
        ),
    ]


async def count_matches(
    database_url: str, workspace: uuid.UUID, queries: list[ListQuery]
) -> list[int]:
    """How many runs each filter matches (to label the rows; not timed)."""
    conn = await asyncpg.connect(asyncpg_url(database_url))
    try:
        return [
            await conn.fetchval(
                f"SELECT count(*) FROM pipeline_runs WHERE workspace_id = $1 AND {q.where}",
                workspace,
                *q.args,
            )
            for q in queries
        ]
    finally:
        await conn.close()


def _share(matches: int, total: int) -> str:
    share = matches / total if total else 0.0
    if 0 < share < 0.001:
        return "<0.1%"
    return f"{share:.1%}" if share < 0.1 else f"{share:.0%}"


async def measure_lists(
    http: httpx.AsyncClient,
    base: str,
    database_url: str,
    workspace: uuid.UUID,
    seeded: SeedReport,
    requests: int,
    now: datetime,
) -> list[Row]:
    url = f"{base}/runs"
    queries = list_queries(seeded, now)
    counts = await count_matches(database_url, workspace, queries)
    total = counts[0]
    rows = []
    for query, matches in zip(queries, counts, strict=True):
        params = [{**query.params, "limit": PAGE}] * (WARMUP + requests)
        latencies, body = await timed(http, url, params)
        row = Row(query.label, latencies, len(body["items"]))
        row.note = f"{matches:,} ({_share(matches, total)})"
        rows.append(row)
        log(f"list {query.label}: p50 {row.pct(0.5):.1f} ms, p95 {row.pct(0.95):.1f} ms")
    first = await api(http, "GET", url, 200, params={"limit": PAGE})
    cursor = first["next_cursor"]
    if cursor is None:
        raise BenchError("page 1 of the run list has no next_cursor")
    latencies, body = await timed(
        http, url, [{"limit": PAGE, "cursor": cursor}] * (WARMUP + requests)
    )
    if {r["id"] for r in body["items"]} & {r["id"] for r in first["items"]}:
        raise BenchError("page 2 repeats runs of page 1")
    rows.append(Row("page 2 via cursor (no filter)", latencies, len(body["items"]), "-"))
    log(f"list page 2: p50 {rows[-1].pct(0.5):.1f} ms, p95 {rows[-1].pct(0.95):.1f} ms")
    return rows


async def sample_run_ids(database_url: str, workspace: uuid.UUID, count: int) -> list[str]:
    conn = await asyncpg.connect(asyncpg_url(database_url))
    try:
        found = await conn.fetch(
            "SELECT id FROM pipeline_runs TABLESAMPLE SYSTEM (1) "
            "WHERE workspace_id = $1 ORDER BY random() LIMIT $2",
            workspace,
            count,
        )
        if len(found) < count:  # a small table: 1% of its pages is too few
            found = await conn.fetch(
                "SELECT id FROM pipeline_runs WHERE workspace_id = $1 ORDER BY random() LIMIT $2",
                workspace,
                count,
            )
    finally:
        await conn.close()
    return [str(r["id"]) for r in found]


async def measure_detail(http: httpx.AsyncClient, base: str, run_ids: list[str], steps: int) -> Row:
    latencies: list[float] = []
    step_counts: list[int] = []
    for i, run_id in enumerate(run_ids):
        started = time.perf_counter()
        body = await api(http, "GET", f"{base}/runs/{run_id}", 200)
        elapsed = (time.perf_counter() - started) * 1000
        step_counts.append(len(body["steps"]))
        if i >= WARMUP:
            latencies.append(elapsed)
    full = sum(1 for n in step_counts if n == steps)
    row = Row("get run with steps (a random run each time)", sorted(latencies), steps)
    row.note = f"{full}/{len(step_counts)} had all {steps} steps"
    log(f"get run: p50 {row.pct(0.5):.1f} ms, p95 {row.pct(0.95):.1f} ms ({row.note})")
    return row

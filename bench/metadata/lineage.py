"""The lineage measurement: whether the gateway has the route, sampled outputs, timings."""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx

from bench.metadata.http import WARMUP, api
from bench.metadata.results import Row
from bench.runtime import log
from tools.seed_metadata import asyncpg_url

GATEWAY_METADATA = (
    Path(__file__).resolve().parents[2] / "services/gateway/src/keel_gateway/metadata"
)
LINEAGE_DEPTH = 5


def lineage_endpoint() -> bool:
    """Whether the gateway has the artifact lineage route (grep, as a reader would)."""
    return any("/lineage" in path.read_text() for path in GATEWAY_METADATA.glob("*.py"))


async def sample_last_outputs(
    database_url: str, workspace: uuid.UUID, last_step: str, count: int
) -> list[str]:
    """Artifact versions written by the last step of a run: the deepest lineage there is."""
    conn = await asyncpg.connect(asyncpg_url(database_url))
    try:
        query = (
            "SELECT av.id FROM artifact_versions av {sample} "
            "JOIN artifacts a ON a.id = av.artifact_id "
            "WHERE av.workspace_id = $1 AND a.name LIKE '%/' || $2 "
            "ORDER BY random() LIMIT $3"
        )
        found = await conn.fetch(
            query.format(sample="TABLESAMPLE SYSTEM (1)"), workspace, last_step, count
        )
        if len(found) < count:
            found = await conn.fetch(query.format(sample=""), workspace, last_step, count)
    finally:
        await conn.close()
    return [str(r["id"]) for r in found]


async def measure_lineage(
    http: httpx.AsyncClient, base: str, version_ids: list[str], depth: int
) -> Row:
    latencies: list[float] = []
    steps: list[int] = []
    versions: list[int] = []
    for i, version_id in enumerate(version_ids):
        url = f"{base}/artifact-versions/{version_id}/lineage"
        started = time.perf_counter()
        body = await api(http, "GET", url, 200, params={"depth": depth})
        elapsed = (time.perf_counter() - started) * 1000
        steps.append(len(body["steps"]))
        versions.append(len(body["artifact_versions"]))
        if i >= WARMUP:
            latencies.append(elapsed)
    row = Row(
        f"lineage depth {depth} (from a run's last output, a random one each time)",
        sorted(latencies),
        round(statistics.median(steps)),
    )
    row.note = f"{min(steps)}-{max(steps)} steps, {min(versions)}-{max(versions)} artifact versions"
    log(f"lineage: p50 {row.pct(0.5):.1f} ms, p95 {row.pct(0.95):.1f} ms ({row.note})")
    return row

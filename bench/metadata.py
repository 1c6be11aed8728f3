"""The metadata store at scale: run-list pages, run details, lineage, Kafka ingestion.

    python -m bench.metadata [--runs N] [--steps 10] [--requests 200] [--ingest-runs 500]
                             [--broker tansu|kafka] [--logs DIR]

One fresh stack (embedded Postgres, the broker, OpenBao, the four services and the gateway
as processes) in a temporary directory on free ports. The bootstrap admin logs in and makes
a workspace through the API; `tools.seed_metadata` then bulk-loads `--runs` runs of
`--steps` steps into it, with their artifact versions, step inputs and run metadata (COPY,
then `VACUUM (ANALYZE)`; checkpoints are spread out while it loads, then the stock settings
come back and a checkpoint flushes everything). Then, through the gateway on one keep-alive
HTTP client, one request at a time, `--requests` measured requests per row after 20
unmeasured ones:

- list runs, a page of 50, newest first: no filter, each filter alone, a week's time range,
  page 2 through the cursor of page 1 (the same request each time: a dashboard's query);
- get one run with its steps, a different random run each request;
- lineage five levels deep from the output of a run's last step, a random one each request;
- ingestion: `--ingest-runs` complete runs (StartRun, per step StartStep + FinishStep,
  SetRunStatus) published to `keel.ingest.metadata` as fast as an AIOKafkaProducer goes,
  timed until the API lists every one of them completed (after 2 unmeasured runs).

Tables to stdout, progress to stderr. Everything started is stopped on the way out, also
on an error, Ctrl-C or SIGTERM; `--logs DIR` keeps the services' and Postgres's logs.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from aiokafka import AIOKafkaProducer

from bench.runtime import log
from bench.stacks import stack_in
from bench.stats import cpu_seconds, percentile
from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.metadata import (
    INGEST_TOPIC,
    FinishStep,
    SetRunStatus,
    StartRun,
    StartStep,
)
from keel_devstack.stack import BrokerProfile, Stack
from tools.seed_metadata import (
    Plan,
    SeedReport,
    asyncpg_url,
    project_of,
    seed,
    step_names,
    step_upstream,
)

# The targets.
TARGET_LIST_P95_MS = 50.0
TARGET_STEP_EVENTS_PER_S = 2000.0
PAGE = 50
WARMUP = 20
GATEWAY_METADATA = (
    Path(__file__).resolve().parent.parent / "services/gateway/src/keel_gateway/metadata"
)
LINEAGE_DEPTH = 5


class BenchError(RuntimeError):
    pass


@dataclass
class Row:
    label: str
    latencies: list[float]  # ms, sorted
    rows: int  # items in the last response
    note: str = ""

    def pct(self, q: float) -> float:
        return percentile(self.latencies, q)


@dataclass
class Ingestion:
    runs: int
    completed: int
    publish_s: float  # first send -> every record acknowledged
    total_s: float  # first send -> the API lists every run completed (or the timeout)
    steps: int
    # Share of one core each process used meanwhile (Postgres: with its backends).
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def step_events(self) -> int:
        return self.completed * self.steps * 2

    @property
    def events(self) -> int:
        return self.completed * (self.steps * 2 + 2)


@dataclass
class Results:
    broker: BrokerProfile
    seeded: SeedReport
    database_size: str
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # 1, 5, 15 min, as measuring began
    reused: bool = False  # the dataset of an earlier run (`--home`), not seeded now
    lists: list[Row] = field(default_factory=list)
    detail: Row | None = None
    lineage: Row | None = None
    ingestion: Ingestion | None = None


# ---------------------------------------------------------------------------- HTTP


async def api(http: httpx.AsyncClient, method: str, url: str, expect: int, **kw: Any) -> Any:
    response = await http.request(method, url, **kw)
    if response.status_code != expect:
        raise BenchError(f"{method} {url}: {response.status_code} {response.text[:500]}")
    return response.json() if response.content else None


async def login(http: httpx.AsyncClient, stack: Stack) -> None:
    credentials = stack.infra.credentials
    body = {"email": credentials.admin_email, "password": credentials.admin_password}
    tokens = await api(http, "POST", f"{stack.gateway_url}/api/v1/auth/login", 200, json=body)
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"


async def timed(
    http: httpx.AsyncClient, url: str, params: list[dict[str, Any]], warmup: int = WARMUP
) -> tuple[list[float], Any]:
    """GET `url` once per entry of `params` (the first `warmup` unmeasured); latencies in ms
    of the rest, sorted, and the last response's body."""
    latencies: list[float] = []
    body: Any = None
    for i, query in enumerate(params):
        started = time.perf_counter()
        response = await http.get(url, params=query)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET {url} {query}: {response.status_code} {response.text[:500]}")
        body = response.json()
        if i >= warmup:
            latencies.append(elapsed)
    return sorted(latencies), body


# ---------------------------------------------------------------------------- reads


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


# ---------------------------------------------------------------------------- ingestion


def run_events(
    run_id: uuid.UUID, name: str, tag: str, stack: str, steps: int, t0: datetime
) -> list[Contract]:
    """What an orchestrator integration sends for one run, times consistent."""
    names = step_names(steps)
    upstream = step_upstream(names)
    spec = {"steps": dict(zip(names, upstream, strict=True)), "image": "bench:1"}
    events: list[Contract] = [
        StartRun(
            run_id=run_id,
            name=name,
            pipeline="bench-ingest",
            pipeline_spec=spec,
            stack=stack,
            parameters={"learning_rate": 0.01, "epochs": 3},
            trigger="api",
            started_at=t0,
            tags=[tag],
        )
    ]
    at = t0
    for step, needs in zip(names, upstream, strict=True):
        events.append(StartStep(run_id=run_id, name=step, upstream=needs, started_at=at))
        at += timedelta(seconds=2)
        events.append(FinishStep(run_id=run_id, name=step, status="completed", finished_at=at))
        at += timedelta(milliseconds=100)
    events.append(SetRunStatus(run_id=run_id, status="completed", at=at))
    return events


async def completed_with_tag(http: httpx.AsyncClient, base: str, tag: str) -> int:
    count, cursor = 0, None
    while True:
        query: dict[str, Any] = {"tag": tag, "status": "completed", "limit": 200}
        if cursor:
            query["cursor"] = cursor
        body = await api(http, "GET", f"{base}/runs", 200, params=query)
        count += len(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return count


async def ingest(
    http: httpx.AsyncClient,
    base: str,
    *,
    workspace: uuid.UUID,
    bootstrap: str,
    runs: int,
    steps: int,
    stack: str,
    timeout: float,
) -> Ingestion:
    tag = f"ingest-{secrets.token_hex(4)}"
    t0 = datetime.now(UTC) - timedelta(hours=1)
    messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]] = []
    for k in range(runs):
        run_id = uuid.uuid4()
        for event in run_events(run_id, f"bench-ingest-{tag}-{k}", tag, stack, steps, t0):
            envelope = Envelope.wrap(event, workspace=workspace, actor="service:bench")
            headers = [(key, value.encode()) for key, value in envelope.headers().items()]
            messages.append((str(run_id).encode(), envelope.to_bytes(), headers))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        started = time.perf_counter()
        pending = [
            await producer.send(INGEST_TOPIC, value, key=key, headers=headers)
            for key, value, headers in messages
        ]
        await asyncio.gather(*pending)
        published = time.perf_counter() - started
    finally:
        await producer.stop()
    log(f"{len(messages):,} events for {runs} runs published in {published:.2f}s")
    completed, last_log = 0, started
    while True:
        completed = await completed_with_tag(http, base, tag)
        now = time.perf_counter()
        if completed >= runs or now - started > timeout:
            break
        if now - last_log > 5:
            log(f"ingestion: {completed}/{runs} runs completed after {now - started:.0f}s")
            last_log = now
        await asyncio.sleep(0.2)
    total = time.perf_counter() - started
    return Ingestion(runs, completed, published, total, steps)


# ---------------------------------------------------------------------------- the run


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


async def measure(stack: Stack, args: argparse.Namespace, broker: BrokerProfile) -> Results:
    database_url = stack.infra.postgres.url("keel_metadata")
    async with httpx.AsyncClient(timeout=60) as http:
        await login(http, stack)
        saved = load_dataset(stack.home, args.runs, args.steps)
        if saved is not None:
            workspace, seeded, now = saved
            log(f"reusing the dataset seeded earlier in {stack.home} (workspace {workspace})")
        else:
            slug = f"bench-metadata-{secrets.token_hex(3)}"
            created = await api(
                http,
                "POST",
                f"{stack.gateway_url}/api/v1/workspaces",
                201,
                json={"name": slug, "slug": slug},
            )
            workspace = uuid.UUID(created["id"])
            plan = Plan(workspace_id=workspace, runs=args.runs, steps=args.steps)
            now = plan.now
            log(f"seeding {args.runs:,} runs x {args.steps} steps")
            async with bulk_load_settings(database_url):
                seeded = await seed(database_url, plan, vacuum=True)
            log(f"seeded in {seeded.seconds:.0f}s")
            save_dataset(stack.home, workspace, seeded, now, args.steps)
        base = f"{stack.gateway_url}/api/v1/workspaces/{workspace}"
        results = Results(broker, seeded, await database_size(database_url))
        results.reused = saved is not None

        await login(http, stack)  # the first token may have expired while seeding
        # The machine may be shared: what else ran when the measurements began.
        results.load = os.getloadavg()
        log(f"load average before measuring: {' '.join(f'{x:.2f}' for x in results.load)}")
        results.lists = await measure_lists(
            http, base, database_url, workspace, seeded, args.requests, now
        )
        run_ids = await sample_run_ids(database_url, workspace, WARMUP + args.requests)
        results.detail = await measure_detail(http, base, run_ids, args.steps)
        if seeded.artifact_versions and lineage_endpoint():
            last = step_names(args.steps)[-1]
            outputs = await sample_last_outputs(
                database_url, workspace, last, WARMUP + args.requests
            )
            results.lineage = await measure_lineage(http, base, outputs, LINEAGE_DEPTH)
        if args.ingest_runs:
            warm = await ingest(
                http,
                base,
                workspace=workspace,
                bootstrap=stack.infra.kafka.bootstrap,
                runs=2,
                steps=args.steps,
                stack=seeded.stacks[0],
                timeout=60,
            )
            if warm.completed < warm.runs:
                raise BenchError("the warm-up runs were not ingested within 60 s")
            log(f"ingestion warmed up in {warm.total_s:.1f}s")
            pids = {
                "metadata service": service_pid(stack, "metadata"),
                "gateway": service_pid(stack, "gateway"),
                "Postgres": stack.infra.postgres.process.pid,
                "broker": stack.infra.kafka.process.pid if stack.infra.kafka.process else None,
            }
            before = {name: tree_cpu_seconds(pid) for name, pid in pids.items()}
            results.ingestion = await ingest(
                http,
                base,
                workspace=workspace,
                bootstrap=stack.infra.kafka.bootstrap,
                runs=args.ingest_runs,
                steps=args.steps,
                stack=seeded.stacks[0],
                timeout=max(120.0, args.ingest_runs * (2 * args.steps + 2) / 20),
            )
            seconds = results.ingestion.total_s
            results.ingestion.cpu = {
                name: (tree_cpu_seconds(pid) - before[name]) / seconds for name, pid in pids.items()
            }
        return results


def service_pid(stack: Stack, name: str) -> int | None:
    return next((p.pid for p in stack.services if p.name == name), None)


def tree_cpu_seconds(pid: int | None) -> float:
    """CPU seconds of a process and its children (Postgres: the postmaster, its backends
    and background workers), from /proc."""
    if pid is None:
        return math.nan
    total = cpu_seconds(pid)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += cpu_seconds(int(stat.parent.name))
    return total


# Structured lines at warning level or above, and whatever else names a traceback.
PROBLEM = re.compile(r'"level": "(warning|error|critical)"|Traceback')


def report_log_problems(stack: Stack, *, tail: int) -> None:
    for path in sorted((stack.home / "logs").glob("*.log")):
        lines = path.read_text(errors="replace").splitlines()
        problems = [line for line in lines if PROBLEM.search(line)]
        if problems:
            log(f"{path.name}: {len(problems)} warning/error line(s), e.g.:")
            for line in problems[:5]:
                print(f"    {line[:400]}", file=sys.stderr)
        if tail:
            log(f"{path.name}, last {tail} lines:")
            for line in lines[-tail:]:
                print(f"    {line[:400]}", file=sys.stderr)


def run(args: argparse.Namespace, broker: BrokerProfile) -> Results:
    place: AbstractContextManager[str] = (
        tempfile.TemporaryDirectory(prefix="keel-bench-metadata-")
        if args.home is None
        else nullcontext(str(args.home))
    )
    with place as tmp:
        stack = stack_in(Path(tmp) / "stack", broker)
        failed = True
        try:
            began = time.perf_counter()
            stack.start()
            log(f"stack up on {broker} in {time.perf_counter() - began:.1f}s")
            results = asyncio.run(measure(stack, args, broker))
            failed = False
            return results
        finally:
            try:
                report_log_problems(stack, tail=30 if failed else 0)
            finally:
                stack.stop()
                if args.logs is not None:
                    shutil.copytree(stack.home / "logs", args.logs, dirs_exist_ok=True)
                    postgres_log = stack.home / "postgres" / "postgres.log"
                    if postgres_log.exists():
                        shutil.copy(postgres_log, args.logs)
                    log(f"logs copied to {args.logs}")


# ---------------------------------------------------------------------------- output


def _ms(value: float) -> str:
    return f"{value:.1f}"


def render(results: Results, requests: int) -> str:
    seeded = results.seeded
    lines = [
        f"broker: {results.broker}; machine: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; dataset: {seeded.runs:,} runs, "
        f"{seeded.steps:,} step rows"
        + (
            f", {seeded.artifact_versions:,} artifact versions, {seeded.step_inputs:,} step "
            f"inputs, {seeded.run_metadata:,} run-metadata values"
            if seeded.artifact_versions
            else ""
        )
        + f"; seeded in {seeded.seconds:.0f}s (COPY + VACUUM ANALYZE)"
        + (" by an earlier run, Postgres restarted since" if results.reused else "")
        + "; "
        f"database {results.database_size}; load average as measuring began "
        + "/".join(f"{x:.1f}" for x in results.load),
        "",
        f"| through the gateway, n={requests} each | runs matching | rows returned "
        f"| p50 ms | p95 ms | p99 ms | p95 < {TARGET_LIST_P95_MS:g} ms |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]

    def line(label: str, row: Row, matching: str, returned: str, target: bool) -> str:
        met = ("met" if row.pct(0.95) < TARGET_LIST_P95_MS else "**not met**") if target else "-"
        return (
            f"| {label} | {matching} | {returned} | {_ms(row.pct(0.5))} | "
            f"{_ms(row.pct(0.95))} | {_ms(row.pct(0.99))} | {met} |"
        )

    for row in results.lists:
        lines.append(line(f"list runs: {row.label}", row, row.note, str(row.rows), True))
    if results.detail is not None:
        row = results.detail
        lines.append(line(row.label, row, "1", f"1 run + steps ({row.note})", False))
    if results.lineage is not None:
        row = results.lineage
        lines.append(line(row.label, row, "-", row.note, False))
    else:
        why = "no artifacts seeded" if lineage_endpoint() else "no lineage endpoint yet"
        lines.append(f"| lineage, depth {LINEAGE_DEPTH} | n/a ({why}) | | | | | |")
    ing = results.ingestion
    if ing is not None:
        step_rate = ing.step_events / ing.total_s
        met = (
            "met"
            if ing.completed == ing.runs and step_rate > TARGET_STEP_EVENTS_PER_S
            else "**not met**"
        )
        lines += [
            "",
            "| ingestion | runs completed | events | publish s | until all completed s "
            f"| step events/s | all events/s | step events/s > {TARGET_STEP_EVENTS_PER_S:,.0f} |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
            f"| {ing.steps} steps/run, {ing.steps * 2 + 2} events/run | "
            f"{ing.completed}/{ing.runs} | {ing.events:,} | {ing.publish_s:.2f} | "
            f"{ing.total_s:.1f} | {step_rate:,.0f} | {ing.events / ing.total_s:,.0f} | {met} |",
        ]
        if ing.cpu:
            lines += [
                "",
                "CPU while ingesting (share of one core): "
                + ", ".join(f"{name} {share:.0%}" for name, share in ing.cpu.items()),
            ]
    return "\n".join(lines)


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _interrupted(exc: BaseException | None) -> bool:
    """Ctrl-C or SIGTERM, also when cleaning up after it failed in turn (an interrupted
    COPY leaves asyncpg unable to roll back: that error then carries the interrupt)."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.metadata",
        description="Run lists, run details and ingestion of the metadata store at scale.",
    )
    parser.add_argument("--runs", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200, metavar="N")
    parser.add_argument("--ingest-runs", type=int, default=1500, metavar="K")
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    parser.add_argument("--logs", type=Path, help="copy the stack's logs here at the end")
    parser.add_argument(
        "--home",
        type=Path,
        help="keep the stack (and its seeded database) in this directory instead of a "
        "temporary one; a later run with the same --home measures it again without seeding",
    )
    args = parser.parse_args(argv)
    if args.runs < 200 or args.steps < 1 or args.requests < 1 or args.ingest_runs < 0:
        parser.error("--runs >= 200, --steps and --requests >= 1, --ingest-runs >= 0")
    broker: BrokerProfile = args.broker

    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    began = time.perf_counter()
    try:
        results = run(args, broker)
    except BaseException as exc:
        if not _interrupted(exc):
            raise
        log("interrupted; everything started has been stopped")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    log(f"done in {time.perf_counter() - began:.0f}s")
    print(render(results, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())

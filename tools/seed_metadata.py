"""Seed the metadata service's tables with a large, realistic dataset, fast.

    python -m tools.seed_metadata --database-url URL --workspace UUID --runs 1000000 \
        [--steps 10] [--pipelines 50] [--stacks 5] [--users 20] [--batch 50000] [--seed 1] \
        [--vacuum]

Writes straight into the metadata service's database (the URL its settings use, e.g.
`postgresql+asyncpg://keel:...@127.0.0.1:15432/keel_metadata`), bypassing the service:
stacks, pipelines and pipeline versions first (small, idempotent: names that exist are
reused), then runs and their steps with PostgreSQL COPY, in batches of `--batch` runs, one
transaction each, with a progress line per batch on stderr; where the schema has the
artifact tables, the same transaction also writes each finished step's output (an artifact
version of `<pipeline>/<step>`), each step's inputs (its upstream steps' outputs, so
lineage is as deep as the DAG: nine hops for ten steps) and three run-metadata values per
finished run (accuracy, loss, a report URI). `ANALYZE` at the end
(`--vacuum`: `VACUUM (ANALYZE)`, which also sets the visibility map and hint bits, as
autovacuum would have long since done on a production database).

The data: runs spread over the last year in the order a real system inserts them (the heap
follows `created_at`), pipelines and creators Zipf-like in popularity, mostly completed runs
(some failed, cancelled, cached; the newest ones and a few stuck ones still running), a few
tags, parameters and code references as the SDK sends them, and per run one step row per
step of the pipeline's DAG (a chain with some fan-in), times consistent: created <= started
<= each step's start <= its finish <= the run's finish <= now. Failed and cancelled runs mark
the steps they never reached `skipped`; running runs have rows only for steps that started.

Every row comes from small pure functions (one per table) of the plan and a random
generator seeded from it: the same arguments give the same dataset.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import json
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

Record = tuple[Any, ...]

# The columns each COPY writes, in the order the row functions produce them.
STACK_COLUMNS = (
    "id",
    "workspace_id",
    "name",
    "description",
    "components",
    "created_by",
    "created_at",
)
PIPELINE_COLUMNS = ("id", "workspace_id", "name", "latest_version", "created_at")
VERSION_COLUMNS = ("id", "pipeline_id", "version", "spec", "spec_hash", "created_at")
RUN_COLUMNS = (
    "id", "workspace_id", "name", "project", "pipeline_id", "pipeline_version_id", "stack_id",
    "status", "started_at", "finished_at", "parameters", "trigger", "code_ref", "tags",
    "created_by", "created_at", "revision",
)  # fmt: skip
STEP_COLUMNS = (
    "id", "run_id", "name", "status", "upstream", "cache_key", "cached_from", "started_at",
    "finished_at",
)  # fmt: skip
ARTIFACT_COLUMNS = ("id", "workspace_id", "name", "latest_version", "created_at")
ARTIFACT_VERSION_COLUMNS = (
    "id", "workspace_id", "artifact_id", "version", "uri", "type", "data_type", "materializer",
    "size", "content_hash", "visualizations", "tags", "output", "producer_step_id",
    "producer_run_id", "created_at",
)  # fmt: skip
# Where the row functions below find a field in a run's or a step's record.
RUN_ID, RUN_NAME, RUN_FINISHED = (RUN_COLUMNS.index(c) for c in ("id", "name", "finished_at"))
STEP_ID, STEP_NAME, STEP_STATUS, STEP_UPSTREAM, STEP_STARTED, STEP_FINISHED = (
    STEP_COLUMNS.index(c) for c in ("id", "name", "status", "upstream", "started_at", "finished_at")
)
STEP_INPUT_COLUMNS = ("step_id", "name", "artifact_version_id")
RUN_METADATA_COLUMNS = ("entity", "entity_id", "key", "workspace_id", "kind", "value", "logged_at")
# The tables of artifacts and run metadata, seeded only if the service's schema has them.
ARTIFACT_TABLES = ("artifacts", "artifact_versions", "step_inputs", "run_metadata")

STACK_NAMES = ("local", "staging", "production", "gpu-cluster", "spot")
DOMAINS = (
    "churn", "fraud", "recsys", "search", "pricing", "forecast", "ads", "nlp", "vision", "risk",
)  # fmt: skip
KINDS = ("training", "inference", "features", "evaluation", "backfill")
STEP_NAMES = (
    "ingest", "validate", "split", "featurize", "train", "tune", "evaluate", "compare",
    "register", "deploy",
)  # fmt: skip
# What each step writes: artifact type, data type, materializer.
STEP_OUTPUTS: dict[str, tuple[str, str, str]] = {
    "ingest": ("data", "pandas.DataFrame", "keel.materializers.ParquetMaterializer"),
    "validate": ("statistics", "dict", "keel.materializers.JsonMaterializer"),
    "split": ("data", "pandas.DataFrame", "keel.materializers.ParquetMaterializer"),
    "featurize": ("data", "pandas.DataFrame", "keel.materializers.ParquetMaterializer"),
    "train": ("model", "sklearn.pipeline.Pipeline", "keel.materializers.PickleMaterializer"),
    "tune": ("model", "sklearn.pipeline.Pipeline", "keel.materializers.PickleMaterializer"),
    "evaluate": ("metrics", "dict", "keel.materializers.JsonMaterializer"),
    "compare": ("metrics", "dict", "keel.materializers.JsonMaterializer"),
    "register": ("model", "sklearn.pipeline.Pipeline", "keel.materializers.PickleMaterializer"),
    "deploy": ("service", "str", "keel.materializers.JsonMaterializer"),
}
OTHER_OUTPUT = ("other", "bytes", "keel.materializers.BytesMaterializer")
# Tag -> share of runs that carry it (independently): a few common ones, a rare one.
TAGS: dict[str, float] = {
    "nightly": 0.40,
    "gpu": 0.25,
    "experiment": 0.20,
    "prod": 0.15,
    "candidate": 0.08,
    "baseline": 0.05,
    "backfill": 0.02,
    "hotfix": 0.005,
}
TRIGGERS = (("schedule", 0.55), ("manual", 0.25), ("api", 0.12), ("webhook", 0.08))
# The outcome of a run decided up front (then cut short if it would end after `now`).
OUTCOMES = (
    ("completed", 0.86),
    ("failed", 0.09),
    ("cancelled", 0.03),
    ("cached", 0.01),
    ("running", 0.007),  # stuck: its orchestrator went away
    ("initializing", 0.003),
)
SCHEDULER = "service:scheduler"
NAMESPACE = uuid.UUID("0d5f5a3e-6c1b-4f4e-9a51-5b0c1d6e7f80")


@dataclass(frozen=True)
class Plan:
    """What to seed. `now` pins the time window, so a plan always gives the same rows."""

    workspace_id: uuid.UUID
    runs: int
    steps: int = 10
    pipelines: int = 50
    stacks: int = 5
    users: int = 20
    batch: int = 50_000
    seed: int = 1
    days: int = 365
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=self.days)


@dataclass(frozen=True)
class PipelineInfo:
    id: uuid.UUID
    name: str
    steps: tuple[str, ...]
    upstream: tuple[list[str], ...]  # per step; shared by every step row (never mutated)
    version_ids: tuple[uuid.UUID, ...]  # oldest first
    # The artifact each step's output is a version of; empty without artifact tables.
    artifact_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """The rows runs refer to, with their ids as stored (reused ones included)."""

    stack_ids: tuple[uuid.UUID, ...]
    pipelines: tuple[PipelineInfo, ...]  # most popular first
    users: tuple[str, ...]  # most active first
    # Zipf-like popularity, cumulative (what `random.choices` takes fastest).
    pipeline_weights: list[float] = field(init=False, repr=False)
    user_weights: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pipeline_weights", cumulative(_weights(len(self.pipelines))))
        object.__setattr__(self, "user_weights", cumulative(_weights(len(self.users), 0.8)))


@dataclass(frozen=True)
class SeedReport:
    runs: int
    steps: int
    seconds: float
    pipelines: tuple[str, ...]  # most popular first
    stacks: tuple[str, ...]
    tags: dict[str, float]
    artifact_versions: int | None  # None: not seeded (no artifact tables in the schema)
    step_inputs: int
    run_metadata: int


# --------------------------------------------------------------------- pure row functions


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _weights(count: int, exponent: float = 1.0) -> list[float]:
    """Zipf-like popularity: the k-th item is chosen in proportion to 1/(k+1)^exponent."""
    return [1 / (k + 1) ** exponent for k in range(count)]


def stack_names(plan: Plan) -> list[str]:
    return [STACK_NAMES[k] if k < len(STACK_NAMES) else f"stack-{k}" for k in range(plan.stacks)]


def pipeline_names(plan: Plan) -> list[str]:
    combos = [f"{domain}-{kind}" for kind in KINDS for domain in DOMAINS]
    return [combos[k] if k < len(combos) else f"pipeline-{k}" for k in range(plan.pipelines)]


def project_of(pipeline: str) -> str:
    """Runs are grouped in projects by domain: `churn-training` is in `churn`."""
    return pipeline.split("-", 1)[0]


def step_names(count: int) -> tuple[str, ...]:
    return tuple(STEP_NAMES[k] if k < len(STEP_NAMES) else f"step-{k}" for k in range(count))


def step_upstream(names: Sequence[str]) -> tuple[list[str], ...]:
    """A chain, and every third step also depends on the step three before (fan-in)."""
    return tuple(
        ([names[k - 1]] if k else []) + ([names[k - 3]] if k >= 3 and k % 3 == 0 else [])
        for k in range(len(names))
    )


def user_subjects(plan: Plan) -> tuple[str, ...]:
    return tuple(
        f"user:{uuid.uuid5(NAMESPACE, f'{plan.workspace_id}:user:{k}')}" for k in range(plan.users)
    )


def stack_rows(plan: Plan) -> Iterator[Record]:
    """`stacks`: an orchestrator and an artifact store each, credentials by reference."""
    for k, name in enumerate(stack_names(plan)):
        components = [
            {
                "type": "orchestrator",
                "flavor": "kubernetes" if name != "local" else "local",
                "name": f"{name}-orchestrator",
                "config": {"namespace": f"ml-{name}"},
                "secret_refs": {},
            },
            {
                "type": "artifact_store",
                "flavor": "s3" if name != "local" else "local",
                "name": f"{name}-store",
                "config": {"path": f"s3://acme-ml-{name}/artifacts"},
                "secret_refs": {"credentials": f"aws/{name}"} if name != "local" else {},
            },
        ]
        yield (
            uuid.uuid5(NAMESPACE, f"{plan.workspace_id}:stack:{name}"),
            plan.workspace_id,
            name,
            f"The {name} stack",
            json.dumps(components),
            f"user:{uuid.uuid5(NAMESPACE, f'{plan.workspace_id}:user:0')}",
            plan.start - timedelta(days=1, minutes=k),
        )


def versions_of(plan: Plan, index: int) -> int:
    return 1 + index % 4


def pipeline_rows(plan: Plan) -> Iterator[Record]:
    for k, name in enumerate(pipeline_names(plan)):
        yield (
            uuid.uuid5(NAMESPACE, f"{plan.workspace_id}:pipeline:{name}"),
            plan.workspace_id,
            name,
            versions_of(plan, k),
            plan.start - timedelta(hours=12, minutes=k),
        )


def pipeline_spec(plan: Plan, pipeline: str, version: int) -> dict[str, Any]:
    names = step_names(plan.steps)
    return {
        "steps": dict(zip(names, step_upstream(names), strict=True)),
        "image": f"registry.example.com/acme/{pipeline}:{version}",
    }


def spec_hash(spec: dict[str, Any]) -> str:
    """The metadata service's hash of a spec (`pipelines.service.ensure`)."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def pipeline_version_rows(plan: Plan, pipeline_ids: dict[str, uuid.UUID]) -> Iterator[Record]:
    """Versions spread evenly over the year; runs use the version current at their time."""
    for k, name in enumerate(pipeline_names(plan)):
        count = versions_of(plan, k)
        for v in range(1, count + 1):
            spec = pipeline_spec(plan, name, v)
            digest = spec_hash(spec)
            yield (
                uuid.uuid5(NAMESPACE, f"{pipeline_ids[name]}:{digest}"),
                pipeline_ids[name],
                v,
                json.dumps(spec),
                digest,
                plan.start + (plan.now - plan.start) * (v - 1) / count - timedelta(hours=1),
            )


@dataclass
class RunSketch:
    """One run and its steps, as the COPYs want them."""

    pipeline: PipelineInfo
    run: Record
    steps: list[Record]


def _choose(rng: random.Random, options: Sequence[tuple[str, float]]) -> str:
    u = rng.random()
    for value, share in options:
        u -= share
        if u < 0:
            return value
    return options[-1][0]


def _parameters(rng: random.Random, pipeline: str, created: datetime) -> str:
    return json.dumps(
        {
            "learning_rate": rng.choice((0.1, 0.03, 0.01, 0.003, 0.001)),
            "epochs": rng.randint(1, 50),
            "batch_size": rng.choice((32, 64, 128, 256, 512)),
            "seed": rng.randrange(10_000),
            "dataset": f"s3://acme-ml-data/{pipeline}/{created:%Y-%m-%d}",
        }
    )


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _steps(
    plan: Plan,
    pipeline: PipelineInfo,
    run_id: uuid.UUID,
    outcome: str,
    *,
    started: datetime,
    rng: random.Random,
) -> tuple[list[list[Any]], datetime, bool]:
    """The step rows of a run that started at `started` and is meant to end `outcome`, the
    end of its last step, and whether it is still going at `plan.now` (then it has rows
    only for the steps that started, the last of them running)."""
    n = len(pipeline.steps)
    stop_at = rng.randrange(n) if n else 0  # where a failed/cancelled/stuck run stopped
    rows: list[list[Any]] = []
    cursor = started
    going = outcome == "running"
    for k in range(n):
        name, upstream = pipeline.steps[k], pipeline.upstream[k]
        if k > stop_at and outcome in ("failed", "cancelled"):
            rows.append([_uuid(rng), run_id, name, "skipped", upstream, None, None, None, None])
            continue
        begin = cursor + timedelta(seconds=rng.uniform(0.05, 3))
        if begin > plan.now:  # not reached yet
            going = True
            break
        cached = outcome == "cached" or rng.random() < 0.05
        seconds = rng.uniform(0.05, 2) if cached else min(rng.lognormvariate(4.0, 1.2), 7200)
        end: datetime | None = begin + timedelta(seconds=seconds)
        status = "cached" if cached else "completed"
        if k == stop_at and outcome in ("failed", "cancelled"):
            status = "failed"
        if (k == stop_at and outcome == "running") or (end is not None and end > plan.now):
            status, end, going = "running", None, True
        cache_key = f"{rng.getrandbits(64):016x}"
        rows.append([_uuid(rng), run_id, name, status, upstream, cache_key, None, begin, end])
        if end is None:
            break
        cursor = end
    if going:
        rows = [row for row in rows if row[STEP_STATUS] != "skipped"]
    return rows, cursor, going


def sketch_run(plan: Plan, catalog: Catalog, index: int, rng: random.Random) -> RunSketch:
    """Run number `index` (0 = oldest) and its steps."""
    span = (plan.now - plan.start).total_seconds()
    created = plan.start + timedelta(seconds=(index + rng.random()) * span / plan.runs)
    pipeline = rng.choices(catalog.pipelines, cum_weights=catalog.pipeline_weights)[0]
    fraction = (created - plan.start).total_seconds() / span
    versions = pipeline.version_ids
    version_id = versions[min(len(versions) - 1, int(fraction * len(versions)))]
    stack_id = rng.choice(catalog.stack_ids) if catalog.stack_ids and rng.random() < 0.95 else None
    trigger = _choose(rng, TRIGGERS)
    if trigger == "schedule" or not catalog.users:
        creator = SCHEDULER
    else:
        creator = rng.choices(catalog.users, cum_weights=catalog.user_weights)[0]
    tags = sorted(tag for tag, share in TAGS.items() if rng.random() < share)
    code_ref = (
        json.dumps(
            {
                "repository": "github.com/acme/ml-pipelines",
                "commit": f"{rng.getrandbits(160):040x}",
                "branch": "main" if rng.random() < 0.8 else f"feature/{rng.randrange(500)}",
            }
        )
        if rng.random() < 0.8
        else None
    )
    run_id = _uuid(rng)
    outcome = _choose(rng, OUTCOMES)
    started: datetime | None = min(plan.now, created + timedelta(seconds=rng.uniform(0.5, 30)))
    steps: list[list[Any]] = []
    finished: datetime | None = None
    if outcome == "initializing":
        status, started, revision = "initializing", None, 1
    else:
        assert started is not None
        steps, last_end, going = _steps(plan, pipeline, run_id, outcome, started=started, rng=rng)
        if going:
            status, revision = "running", 1
        else:
            status, revision = outcome, 2
            finished = last_end + timedelta(seconds=rng.uniform(0.1, 5))
            for step in steps:
                if step[STEP_STATUS] == "skipped":
                    step[STEP_FINISHED] = finished
    run = (
        run_id,
        plan.workspace_id,
        f"{pipeline.name}-{index + 1}",
        project_of(pipeline.name),
        pipeline.id,
        version_id,
        stack_id,
        status,
        started,
        finished,
        _parameters(rng, pipeline.name, created),
        trigger,
        code_ref,
        tags,
        creator,
        created,
        revision,
    )
    return RunSketch(pipeline, run, [tuple(step) for step in steps])


def sketch_batch(plan: Plan, catalog: Catalog, first: int, count: int) -> list[RunSketch]:
    """Runs `first` .. `first + count - 1`: the same runs whatever the batch size."""
    sketches = []
    for index in range(first, first + count):
        # Not for security: a reproducible stream per (workspace, seed, run), whatever the
        # batch size; another workspace or seed gets other ids.
        key = (plan.workspace_id.int << 64) + plan.seed * 1_000_003 + index
        rng = random.Random(key)  # noqa: S311
        sketches.append(sketch_run(plan, catalog, index, rng))
    return sketches


def run_rows(sketches: Sequence[RunSketch]) -> Iterator[Record]:
    """`pipeline_runs`."""
    for sketch in sketches:
        yield sketch.run


def step_rows(sketches: Sequence[RunSketch]) -> Iterator[Record]:
    """`step_runs`."""
    for sketch in sketches:
        yield from sketch.steps


def artifact_names(plan: Plan, pipeline: str) -> list[str]:
    """One artifact per step of each pipeline: `<pipeline>/<step>`."""
    return [f"{pipeline}/{step}" for step in step_names(plan.steps)]


def artifact_rows(plan: Plan) -> Iterator[Record]:
    """`artifacts` (numbered versions start at 0: none yet)."""
    for k, pipeline in enumerate(pipeline_names(plan)):
        for name in artifact_names(plan, pipeline):
            yield (
                uuid.uuid5(NAMESPACE, f"{plan.workspace_id}:artifact:{name}"),
                plan.workspace_id,
                name,
                0,
                plan.start - timedelta(hours=12, minutes=k),
            )


# An artifact version's id follows from its producing step's: inputs can name it without
# looking it up.
_VERSION_MASK = 0x5EED_0000_0000_0000_0000_0000_0000_0000


def output_of(step_id: uuid.UUID) -> uuid.UUID:
    return uuid.UUID(int=step_id.int ^ _VERSION_MASK)


def _produced(step: Record) -> bool:
    return step[STEP_STATUS] in ("completed", "cached")


def artifact_version_rows(
    plan: Plan, sketches: Sequence[RunSketch], numbers: dict[uuid.UUID, int]
) -> Iterator[Record]:
    """`artifact_versions`: one per completed (or cached) step, numbered per artifact in
    run order. `numbers` holds each artifact's last version number and is advanced as rows
    are produced (the one piece of state that crosses batches)."""
    for sketch in sketches:
        if not sketch.pipeline.artifact_ids:
            continue
        run_id, run_name = sketch.run[RUN_ID], sketch.run[RUN_NAME]
        for k, step in enumerate(sketch.steps):
            if not _produced(step):
                continue
            artifact_id = sketch.pipeline.artifact_ids[k]
            number = numbers.get(artifact_id, 0) + 1
            numbers[artifact_id] = number
            version_id = output_of(step[STEP_ID])
            kind, data_type, materializer = STEP_OUTPUTS.get(step[STEP_NAME], OTHER_OUTPUT)
            yield (
                version_id,
                plan.workspace_id,
                artifact_id,
                number,
                f"s3://acme-ml-artifacts/{sketch.pipeline.name}/{run_name}/{step[STEP_NAME]}/output",
                kind,
                data_type,
                materializer,
                1024 << (version_id.int % 20),  # 1 KiB .. 512 MiB
                f"sha256:{version_id.hex}{step[STEP_ID].hex}",
                [],
                [],
                "output",
                step[STEP_ID],
                run_id,
                step[STEP_FINISHED],
            )


def step_input_rows(sketches: Sequence[RunSketch]) -> Iterator[Record]:
    """`step_inputs`: each step that started reads the outputs of its upstream steps in the
    same run, so lineage runs as deep as the DAG (ten steps: nine hops)."""
    for sketch in sketches:
        if not sketch.pipeline.artifact_ids:
            continue
        by_name = {step[STEP_NAME]: step for step in sketch.steps}
        for step in sketch.steps:
            if step[STEP_STARTED] is None:  # never started: read nothing
                continue
            for name in step[STEP_UPSTREAM]:
                source = by_name.get(name)
                if source is not None and _produced(source):
                    yield (step[STEP_ID], name, output_of(source[STEP_ID]))


def run_metadata_rows(plan: Plan, sketches: Sequence[RunSketch]) -> Iterator[Record]:
    """`run_metadata`: what a training run logs (metrics, a report), on finished runs."""
    for sketch in sketches:
        run = sketch.run
        if run[RUN_FINISHED] is None:
            continue
        bits = run[RUN_ID].int
        logged = run[RUN_FINISHED]
        accuracy = round(0.70 + (bits % 10_000) / 10_000 * 0.29, 4)
        loss = round(1 - accuracy + ((bits >> 20) % 1000) / 10_000, 4)
        report = f"s3://acme-ml-reports/{sketch.pipeline.name}/{run[RUN_NAME]}.html"
        for key, kind, value in (
            ("accuracy", "number", accuracy),
            ("loss", "number", loss),
            ("report", "uri", report),
        ):
            yield ("run", run[RUN_ID], key, plan.workspace_id, kind, json.dumps(value), logged)


# ------------------------------------------------------------------------------ loading


def _log(message: str) -> None:
    print(f"[seed] {message}", file=sys.stderr, flush=True)


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _insert(table: str, columns: Sequence[str], conflict: str) -> str:
    """INSERT of one row that skips what exists. Table and columns are this module's
    constants, never input."""
    values = ", ".join(f"${k + 1}" for k in range(len(columns)))
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO NOTHING"
    )


async def _catalog(conn: Any, plan: Plan) -> tuple[Catalog, dict[uuid.UUID, int]]:
    """Insert the small tables (what exists by name is kept) and read back their ids; and
    each artifact's last version number (none: no artifact tables)."""
    stacks = list(stack_rows(plan))
    await conn.executemany(_insert("stacks", STACK_COLUMNS, "workspace_id, name"), stacks)
    await conn.executemany(
        _insert("pipelines", PIPELINE_COLUMNS, "workspace_id, name"), list(pipeline_rows(plan))
    )
    found = await conn.fetch(
        "SELECT name, id FROM pipelines WHERE workspace_id = $1", plan.workspace_id
    )
    pipeline_ids: dict[str, uuid.UUID] = {r["name"]: r["id"] for r in found}
    versions = list(pipeline_version_rows(plan, pipeline_ids))
    await conn.executemany(
        _insert("pipeline_versions", VERSION_COLUMNS, "pipeline_id, spec_hash"), versions
    )
    await conn.execute(
        "UPDATE pipelines p SET latest_version = v.latest FROM "
        "(SELECT pipeline_id, max(version) AS latest FROM pipeline_versions GROUP BY 1) v "
        "WHERE v.pipeline_id = p.id AND p.workspace_id = $1",
        plan.workspace_id,
    )
    version_ids: dict[tuple[uuid.UUID, str], uuid.UUID] = {
        (r["pipeline_id"], r["spec_hash"]): r["id"]
        for r in await conn.fetch(
            "SELECT v.id, v.pipeline_id, v.spec_hash FROM pipeline_versions v "
            "JOIN pipelines p ON p.id = v.pipeline_id WHERE p.workspace_id = $1",
            plan.workspace_id,
        )
    }
    stack_ids = {
        r["name"]: r["id"]
        for r in await conn.fetch(
            "SELECT name, id FROM stacks WHERE workspace_id = $1", plan.workspace_id
        )
    }
    artifact_ids: dict[str, uuid.UUID] = {}
    numbers: dict[uuid.UUID, int] = {}
    if await _has_artifact_tables(conn):
        await conn.executemany(
            _insert("artifacts", ARTIFACT_COLUMNS, "workspace_id, name"), list(artifact_rows(plan))
        )
        for r in await conn.fetch(
            "SELECT name, id, latest_version FROM artifacts WHERE workspace_id = $1",
            plan.workspace_id,
        ):
            artifact_ids[r["name"]] = r["id"]
            numbers[r["id"]] = r["latest_version"]
    names = step_names(plan.steps)
    upstream = step_upstream(names)
    pipelines = []
    for k, name in enumerate(pipeline_names(plan)):
        pid = pipeline_ids[name]
        ids = tuple(
            version_ids[(pid, spec_hash(pipeline_spec(plan, name, v)))]
            for v in range(1, versions_of(plan, k) + 1)
        )
        outputs = tuple(artifact_ids[a] for a in artifact_names(plan, name) if artifact_ids)
        pipelines.append(PipelineInfo(pid, name, names, upstream, ids, outputs))
    catalog = Catalog(
        tuple(stack_ids[name] for name in stack_names(plan)),
        tuple(pipelines),
        user_subjects(plan),
    )
    return catalog, numbers


async def _has_artifact_tables(conn: Any) -> bool:
    found = await conn.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
        "AND tablename = ANY($1::text[])",
        list(ARTIFACT_TABLES),
    )
    return bool(found == len(ARTIFACT_TABLES))


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.seed_metadata",
        description="Bulk-load a realistic dataset into the metadata service's database.",
    )
    parser.add_argument("--database-url", required=True, help="the metadata service's DB URL")
    parser.add_argument("--workspace", required=True, type=uuid.UUID)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--pipelines", type=int, default=50)
    parser.add_argument("--stacks", type=int, default=5)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50_000, help="runs per transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vacuum", action="store_true", help="VACUUM (ANALYZE), not ANALYZE")
    args = parser.parse_args(argv)
    if args.runs < 0 or args.steps < 0 or args.batch < 1:
        parser.error("--runs and --steps must not be negative, --batch must be positive")
    if args.pipelines < 1:
        parser.error("--pipelines must be at least 1")
    plan = Plan(
        workspace_id=args.workspace,
        runs=args.runs,
        steps=args.steps,
        pipelines=args.pipelines,
        stacks=args.stacks,
        users=args.users,
        batch=args.batch,
        seed=args.seed,
    )
    report = asyncio.run(seed(args.database_url, plan, vacuum=args.vacuum))
    _log(f"done: {report.runs:,} runs, {report.steps:,} steps in {report.seconds:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

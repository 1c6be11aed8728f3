"""Runs and their steps: one sketch per run, from a generator seeded for that run."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tools.seed_metadata.columns import STEP_FINISHED, STEP_STATUS, Record
from tools.seed_metadata.plan import (
    OUTCOMES,
    SCHEDULER,
    TAGS,
    TRIGGERS,
    Catalog,
    PipelineInfo,
    Plan,
    project_of,
)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


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

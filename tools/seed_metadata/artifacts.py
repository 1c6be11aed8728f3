"""Rows of the artifact tables: artifacts, their versions, step inputs, run metadata."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from datetime import timedelta

from tools.seed_metadata.columns import (
    RUN_FINISHED,
    RUN_ID,
    RUN_NAME,
    STEP_FINISHED,
    STEP_ID,
    STEP_NAME,
    STEP_STARTED,
    STEP_STATUS,
    STEP_UPSTREAM,
    Record,
)
from tools.seed_metadata.plan import (
    NAMESPACE,
    OTHER_OUTPUT,
    STEP_OUTPUTS,
    Plan,
    pipeline_names,
    step_names,
)
from tools.seed_metadata.runs import RunSketch


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

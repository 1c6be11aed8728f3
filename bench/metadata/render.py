"""The results as markdown tables."""

from __future__ import annotations

import os
import platform

from bench.metadata.lineage import LINEAGE_DEPTH, lineage_endpoint
from bench.metadata.results import Results, Row

# The targets.
TARGET_LIST_P95_MS = 50.0
TARGET_STEP_EVENTS_PER_S = 2000.0


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

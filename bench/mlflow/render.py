"""The comparison as one markdown table, with the issue's targets checked."""

from __future__ import annotations

import math
import os
import platform
from dataclasses import dataclass
from importlib.metadata import version

from bench.mlflow.baseline import WORKERS
from bench.mlflow.results import OPERATIONS, SEARCHES, SideResult
from bench.report import markdown
from keel_devstack.stack import BrokerProfile

# The targets: Keel at least as fast as MLflow's server on every operation, at
# least 3x on search_runs at 10,000 runs (checked on p50).
TARGET_SPEEDUP = 1.0
TARGET_SEARCH_SPEEDUP = 3.0


@dataclass
class Comparison:
    broker: BrokerProfile
    runs: int
    mlflow: SideResult | None = None
    keel: SideResult | None = None


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.1f}"


def _speedup(mlflow: float, keel: float) -> float:
    return mlflow / keel if keel > 0 else math.nan


def _measured(side: SideResult | None, operation: str) -> SideResult | None:
    return side if side is not None and side.latencies.get(operation) else None


def _row(comparison: Comparison, operation: str) -> list[str]:
    mlflow, keel = _measured(comparison.mlflow, operation), _measured(comparison.keel, operation)
    counts = " / ".join(str(len(s.latencies[operation])) if s else "-" for s in (mlflow, keel))
    cells = [operation, counts]
    for side in (mlflow, keel):
        cells += (
            [_ms(side.pct(operation, 0.5)), _ms(side.pct(operation, 0.95))] if side else ["-"] * 2
        )
    target = TARGET_SEARCH_SPEEDUP if operation in SEARCHES else TARGET_SPEEDUP
    if mlflow is None or keel is None:
        return [*cells, "-", f">= {target:g}x: -"]
    p50, p95 = (_speedup(mlflow.pct(operation, q), keel.pct(operation, q)) for q in (0.5, 0.95))
    met = "met" if p50 >= target else "**not met**"
    return [*cells, f"{p50:.2f}x / {p95:.2f}x", f">= {target:g}x: {met}"]


def _load(side: SideResult) -> str:
    return "/".join(f"{x:.1f}" for x in side.load)


def _about(side: SideResult) -> list[str]:
    lines = []
    if side.seeding is not None:
        s = side.seeding
        lines.append(
            f"- {side.server} seeding (not compared: {s.threads} client threads, create_run "
            f"and one small log_batch per run): {s.runs:,} runs, {s.requests:,} requests in "
            f"{s.seconds:.1f}s = {s.runs_per_s:,.0f} runs/s"
        )
    if side.runs:
        lines.append(
            f"- {side.server}: workload {side.seconds:.0f}s; filtered search matches "
            f"{side.matching:,} of {side.runs:,} runs; load average as it began {_load(side)}"
        )
    lines += [f"- {side.server} answered wrongly: {problem}" for problem in side.problems]
    if side.error:
        lines.append(f"- {side.server} FAILED: {side.error}")
    return lines


def render(comparison: Comparison) -> str:
    sides = [s for s in (comparison.mlflow, comparison.keel) if s is not None]
    headers = [
        "operation", "n MLflow / Keel", "MLflow p50 ms", "MLflow p95 ms", "Keel p50 ms",
        "Keel p95 ms", "speedup p50 / p95 (MLflow ÷ Keel)", "target (p50)",
    ]  # fmt: skip
    lines = [
        f"mlflow {version('mlflow')} client (MlflowClient, sequential calls) against Keel and "
        f"against `mlflow server` (uvicorn, {WORKERS} worker; backend store: a database on the "
        f"same embedded Postgres as Keel's); broker (Keel): {comparison.broker}; machine: "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; experiment of "
        f"{comparison.runs:,} runs",
        "",
        markdown(headers, [_row(comparison, op) for op in OPERATIONS]),
        "",
    ]
    for side in sides:
        lines += _about(side)
    return "\n".join(lines)

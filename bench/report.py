"""The results as markdown tables, with the latency target checked."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from bench.rpc import PHASES
from bench.stats import EventRow, IdleRow, Results, RpcRow, fmt_ms, percentile
from keel_common.settings import BusSettings

# The target for a sequential call on Apache Kafka.
TARGET_P50_MS = 5.0
TARGET_P99_MS = 25.0


def _p50_p99(ordered: Sequence[float]) -> str:
    return f"{fmt_ms(percentile(ordered, 0.5))} / {fmt_ms(percentile(ordered, 0.99))}"


def markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    right = ["---:" if all(_numeric(r[i]) for r in rows) else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(right) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _numeric(cell: str) -> bool:
    with contextlib.suppress(ValueError):
        float(cell.replace(",", ""))
        return True
    return False


def verdicts(rows: Sequence[RpcRow]) -> list[str]:
    """The issue's target, checked on Apache Kafka's sequential rows at the default wait."""
    default_wait = BusSettings(profile="kafka").fetch_wait_ms()
    lines = []
    for row in rows:
        if row.broker == "kafka" and row.concurrency == 1:
            p50, p99 = row.pct(0.5), row.pct(0.99)
            met = p50 < TARGET_P50_MS and p99 < TARGET_P99_MS
            default = " (default)" if row.fetch_max_wait_ms == default_wait else ""
            lines.append(
                f"- kafka, {row.server}, fetch_max_wait_ms={row.fetch_max_wait_ms}{default}: "
                f"p50 {p50:.2f} ms, p99 {p99:.2f} ms -> {'met' if met else 'NOT met'}"
            )
    return lines


def render(results: Results) -> str:
    parts: list[str] = []
    if results.rpc:
        parts.append("### RPC round trip (`RpcClient.call` -> trivial `RpcRouter` handler)\n")
        parts.append(markdown(RpcRow.HEADERS, [r.cells() for r in results.rpc]))
        if checks := verdicts(results.rpc):
            parts.append(
                f"\nTarget p50 < {TARGET_P50_MS:g} ms and p99 < {TARGET_P99_MS:g} ms "
                "on Apache Kafka, sequential calls:\n"
            )
            parts.extend(checks)
    instrumented = [r for r in results.rpc if r.phases]
    for broker in dict.fromkeys(r.broker for r in instrumented):
        columns = sorted(
            (r for r in instrumented if r.broker == broker),
            key=lambda r: (r.fetch_max_wait_ms, r.concurrency),
        )
        parts.append(
            f"\n### Where a cross-process call's time goes on {broker} (p50 / p99 in ms)\n"
        )
        parts.append(
            markdown(
                ["phase", *(f"wait {r.fetch_max_wait_ms} ms, c={r.concurrency}" for r in columns)],
                [
                    [label, *(_p50_p99(r.phases[label]) for r in columns if r.phases)]
                    for label, _, _ in PHASES
                ],
            )
        )
    if results.events:
        parts.append("\n### Events\n")
        parts.append(markdown(EventRow.HEADERS, [e.cells() for e in results.events]))
    if results.idle:
        parts.append("\n### Idle consumers: the cost of polling\n")
        parts.append(markdown(IdleRow.HEADERS, [i.cells() for i in results.idle]))
    return "\n".join(parts).lstrip("\n")

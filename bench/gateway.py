"""Gateway throughput and latency for an authenticated read with cached permissions.

    python -m bench.gateway [--broker tansu|kafka] [--seconds 10] [--clients 1,8,32]

One fresh stack (the embedded one: Postgres, the broker, OpenBao, the four services and
the gateway as processes) in a temporary directory on free ports. The read is
`GET /api/v1/workspaces/{id}/stacks/{id}` with the bootstrap admin's access token: the
gateway verifies the JWT (cached JWKS), checks `stack:read` against its permission cache
(5 s TTL: one auth RPC per 5 s, not per request), forwards the call over Kafka RPC to the
metadata service, which reads one row by primary key from Postgres.

First 30 s of unmeasured calls at 8 clients (a fresh Kafka JVM is still compiling its hot
paths). Each row: `--clients` closed-loop connections (bench/loadgen.py) for `--seconds`
after 2 s of unmeasured warm-up at the same concurrency; requests/s over the wall time,
nearest-rank percentiles over every request, and the CPU each process used per request
(share of a core, from /proc). The per-principal rate limit is raised for the run (one
principal sends everything here). The load generator runs on the same 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.loadgen import LoadResult, closed_loop
from bench.runtime import log
from bench.stacks import stack_in
from bench.stats import cpu_seconds, fmt_ms, percentile
from keel_devstack.stack import BrokerProfile, Stack

# The target, at 32 clients on this 2-core machine.
TARGET_RATE = 1000.0
TARGET_P99_MS = 50.0
WARMUP_S = 2.0
STACK_WARM_UP_S = 30.0


@dataclass
class Row:
    clients: int
    result: LoadResult
    cpu: dict[str, float]  # process -> CPU ms per request

    def pct(self, q: float) -> float:
        return percentile(self.result.latencies_ms, q)


def prepare(stack: Stack) -> tuple[str, dict[str, str]]:
    """A workspace with one stack; the URL of that stack and the admin's headers."""
    base = f"{stack.gateway_url}/api/v1"
    credentials = stack.infra.credentials
    with httpx.Client(timeout=30) as http:
        login = {"email": credentials.admin_email, "password": credentials.admin_password}
        tokens = http.post(f"{base}/auth/login", json=login).raise_for_status().json()
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        created = http.post(
            f"{base}/workspaces", json={"name": "bench-gw", "slug": "bench-gw"}, headers=headers
        ).raise_for_status()
        workspace = created.json()["id"]
        made = http.post(
            f"{base}/workspaces/{workspace}/stacks", json={"name": "bench"}, headers=headers
        ).raise_for_status()
        url = f"{base}/workspaces/{workspace}/stacks/{made.json()['id']}"
        http.get(url, headers=headers).raise_for_status()
    return url, headers


def processes(stack: Stack) -> dict[str, int | None]:
    pids: dict[str, int | None] = {p.name: p.pid for p in stack.services}
    pids["broker"] = stack.infra.kafka.process.pid if stack.infra.kafka.process else None
    pids["postgres"] = stack.infra.postgres.process.pid if stack.infra.postgres.process else None
    pids["load generator"] = os.getpid()
    return pids


async def measure(stack: Stack, clients: list[int], seconds: float) -> list[Row]:
    url, headers = prepare(stack)
    pids = processes(stack)
    rows = []
    # The stack's first thousands of calls run 2-3x slower (Kafka's JVM compiling).
    await closed_loop(url, headers, clients=8, seconds=STACK_WARM_UP_S)
    for c in clients:
        await closed_loop(url, headers, clients=c, seconds=WARMUP_S)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        result = await closed_loop(url, headers, clients=c, seconds=seconds)
        requests = max(1, len(result.latencies_ms))
        cpu = {
            name: (cpu_seconds(pid) - before[name]) * 1000 / requests for name, pid in pids.items()
        }
        log(f"{c} clients: {result.rate:,.0f} req/s, statuses {result.statuses}")
        rows.append(Row(c, result, cpu))
    return rows


def run(broker: BrokerProfile, clients: list[int], seconds: float) -> list[Row]:
    os.environ["KEEL_GATEWAY_PRINCIPAL_REQUESTS_PER_S"] = "1000000"
    os.environ["KEEL_GATEWAY_PRINCIPAL_BURST"] = "1000000"
    with tempfile.TemporaryDirectory(prefix="keel-bench-gateway-") as tmp:
        stack = stack_in(Path(tmp) / "stack", broker)
        began = time.perf_counter()
        with stack.running():
            log(f"stack up on {broker} in {time.perf_counter() - began:.1f}s")
            return asyncio.run(measure(stack, clients, seconds))


def render(broker: BrokerProfile, rows: list[Row]) -> str:
    names = list(rows[0].cpu)
    lines = [
        f"broker: {broker}; machine: {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        "| clients | requests | req/s | p50 ms | p95 ms | p99 ms | non-200 | CPU ms/request: "
        + " / ".join(names)
        + " |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        failed = sum(n for status, n in row.result.statuses.items() if status != 200)
        lines.append(
            f"| {row.clients} | {len(row.result.latencies_ms):,} | {row.result.rate:,.0f} "
            f"| {fmt_ms(row.pct(0.5))} | {fmt_ms(row.pct(0.95))} | {fmt_ms(row.pct(0.99))} "
            f"| {failed} | " + " / ".join(f"{row.cpu[n]:.2f}" for n in names) + " |"
        )
    at_32 = next((r for r in rows if r.clients == 32), None)
    if at_32 is not None:
        met = at_32.result.rate > TARGET_RATE and at_32.pct(0.99) < TARGET_P99_MS
        lines += [
            "",
            f"target at 32 clients: > {TARGET_RATE:,.0f} req/s and p99 < {TARGET_P99_MS:g} ms: "
            + ("met" if met else "NOT met"),
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.gateway", description=__doc__)
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", default="1,8,32")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    if not clients or any(c < 1 for c in clients) or args.seconds <= 0:
        parser.error("--clients: positive integers; --seconds: positive")
    rows = run(args.broker, clients, args.seconds)
    print(render(args.broker, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

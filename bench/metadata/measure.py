"""One measurement on a running stack: seed (or reuse), then reads and ingestion; CPU, logs."""

from __future__ import annotations

import argparse
import math
import os
import secrets
import uuid
from pathlib import Path

import httpx

from bench.metadata.dataset import bulk_load_settings, database_size, load_dataset, save_dataset
from bench.metadata.http import WARMUP, api, login
from bench.metadata.ingestion import ingest
from bench.metadata.lineage import (
    LINEAGE_DEPTH,
    lineage_endpoint,
    measure_lineage,
    sample_last_outputs,
)
from bench.metadata.reads import measure_detail, measure_lists, sample_run_ids
from bench.metadata.results import BenchError, Results
from bench.runtime import log
from bench.stats import cpu_seconds
from keel_devstack.stack import BrokerProfile, Stack
from tools.seed_metadata import Plan, seed, step_names


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

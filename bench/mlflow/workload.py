"""The client workload, the same for every server: `python -m bench.mlflow.workload CONFIG`.

Runs in a process of its own per server (started by `bench.mlflow.side`), with the
server's tracking URI in CONFIG (JSON) and its token, if any, in MLFLOW_TRACKING_TOKEN;
prints a `SideResult` as JSON on stdout, progress on stderr. Every call goes through
`mlflow.MlflowClient`, as a user's code would. Sequential, one call at a time, except the
seeding, which fills the experiment with several client threads and is reported apart.

The data is derived from each run's index alone, so every server holds the same runs, the
filtered search matches the same number of them, and the answers can be checked.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, Run, RunTag

from bench.mlflow.results import (
    CREATE_EXPERIMENT,
    CREATE_RUN,
    LOG_BATCH_METRICS,
    LOG_BATCH_PARAMS_TAGS,
    METRIC_HISTORY,
    SEARCH_ALL,
    SEARCH_FILTERED,
    Seeding,
    SideResult,
)
from bench.runtime import log

METRIC_KEYS = 10
STEPS = 100  # 10 keys x 100 steps: a log_batch of MLflow's maximum of 1,000 metrics
PARAMS = 5
TAGS = 5
PAGE = 1000  # max_results of every search: the filtered one, and each page of the full one
FILTER = "metrics.m0 > 0.5 and params.p0 = 'x'"
ORDER_BY = ["metrics.m0 DESC"]
SEED_THREADS = 8


@dataclass(frozen=True)
class Repeat:
    """How often to call an op: `warmup` unmeasured calls, then up to `count` measured ones,
    fewer if `budget_s` has passed once `minimum` are in (slow ops on a slow server)."""

    count: int
    warmup: int
    budget_s: float = 60.0
    minimum: int = 5


# Unmeasured calls of every kind before the measured ones (see Workload.warm_up).
WARM_UP_S = 30.0
CREATE_EXPERIMENTS = Repeat(count=20, warmup=2)
CREATE_RUNS = Repeat(count=200, warmup=10, budget_s=60)
LOG_BATCHES = Repeat(count=100, warmup=5, budget_s=90, minimum=20)
# Each search is first run once unmeasured to check its answer: that is its warm-up.
FILTERED_SEARCHES = Repeat(count=50, warmup=0, budget_s=60)
FULL_SEARCHES = Repeat(count=20, warmup=0, budget_s=90, minimum=3)
HISTORIES = Repeat(count=300, warmup=10, budget_s=30)
# The smallest experiment the measured phase leaves room for (it creates up to this many).
MIN_RUNS = CREATE_RUNS.warmup + CREATE_RUNS.count


def repeat(op: Callable[[int], object], spec: Repeat) -> list[float]:
    """Call op(0), op(1), ... as `spec` says; the measured latencies in ms, sorted."""
    latencies: list[float] = []
    began = time.perf_counter()
    i = 0
    while len(latencies) < spec.count:
        started = time.perf_counter()
        op(i)
        elapsed = time.perf_counter() - started
        if i >= spec.warmup:
            latencies.append(elapsed * 1000)
        i += 1
        if len(latencies) >= spec.minimum and time.perf_counter() - began > spec.budget_s:
            break
    return sorted(latencies)


# ------------------------------------------------------------------------------ the data


def final_values(index: int) -> tuple[str, list[float]]:
    """Run `index`'s params.p0 ('x' or 'y') and the last value of each metric m0..m9."""
    rng = random.Random(index)
    return ("x" if rng.random() < 0.5 else "y"), [rng.random() for _ in range(METRIC_KEYS)]


def matches(index: int) -> bool:
    p0, values = final_values(index)
    return p0 == "x" and values[0] > 0.5


def params_of(index: int) -> list[Param]:
    p0, _ = final_values(index)
    return [Param("p0", p0), *(Param(f"p{k}", f"value-{k}") for k in range(1, PARAMS))]


def full_metrics(index: int, t0: int) -> list[Metric]:
    """STEPS points of each key, climbing to the run's final value at the last step."""
    _, finals = final_values(index)
    return [
        Metric(f"m{k}", final if s == STEPS - 1 else final * (s + 1) / STEPS, t0 + s, s)
        for k, final in enumerate(finals)
        for s in range(STEPS)
    ]


def seed_batch(index: int, t0: int) -> tuple[list[Metric], list[Param], list[RunTag]]:
    """A seeded run's data in one request: each metric once, the params, two tags."""
    _, finals = final_values(index)
    metrics = [Metric(f"m{k}", value, t0, 0) for k, value in enumerate(finals)]
    return metrics, params_of(index), [RunTag("t0", "seeded"), RunTag("t1", str(index % 7))]


# -------------------------------------------------------------------------- the workload


class Workload:
    def __init__(self, result: SideResult, runs: int) -> None:
        self.result = result
        self.client = MlflowClient(tracking_uri=result.tracking_uri)
        self.runs = runs
        self.t0 = int(time.time() * 1000) - 86_400_000
        self.run_ids: list[str] = []  # by index
        self.experiment_id = ""
        self.with_history = 0  # runs 0.. that have every metric's full history
        self.complete = 0  # runs 0.. that also have their params and tags

    def label(self, message: str) -> None:
        log(f"{self.result.server}: {message}")

    def create_run(self, index: int) -> str:
        run = self.client.create_run(
            self.experiment_id,
            start_time=self.t0 + index,
            tags={"bench": "mlflow"},
            run_name=f"run-{index:06d}",
        )
        return str(run.info.run_id)

    def warm_up(self) -> None:
        """WARM_UP_S of every kind of call in an experiment of its own, unmeasured, on both
        servers alike: a fresh stack (Kafka's JVM above all, compiling its hot paths) runs
        its first few thousand calls 2-3x slower than the rest (a probe: 10 ms a call at
        first, 3 ms after 20 s), and that start-up is not what is compared."""
        scratch = self.client.create_experiment(f"bench-warm-up-{time.time_ns()}")
        deadline = time.monotonic() + WARM_UP_S
        step = 0
        while time.monotonic() < deadline:
            run_id = self.client.create_run(scratch).info.run_id
            self.client.log_batch(
                run_id,
                metrics=[Metric("w", 1.0, self.t0, k) for k in range(10)],
                params=[Param("p", "1")],
            )
            self.client.get_run(run_id)
            self.client.get_metric_history(run_id, "w")
            self.client.search_runs([scratch], filter_string="params.p = '1'", max_results=10)
            step += 1
        self.label(f"warmed up with {step} rounds of calls in {WARM_UP_S:g}s")

    def run(self) -> None:
        result = self.result
        self.warm_up()

        experiments: list[str] = []
        result.latencies[CREATE_EXPERIMENT] = repeat(
            lambda i: experiments.append(self.client.create_experiment(f"bench-mlflow-{i}")),
            CREATE_EXPERIMENTS,
        )
        self.experiment_id = experiments[0]

        result.latencies[CREATE_RUN] = repeat(
            lambda i: self.run_ids.append(self.create_run(i)), CREATE_RUNS
        )
        self.label(f"create_run p50 {result.pct(CREATE_RUN, 0.5):.1f} ms")

        # The first runs get a full history each, then their params and tags; the budget
        # may stop either early, and the seeding then gives the rest of those runs theirs.
        sample = min(len(self.run_ids), LOG_BATCHES.warmup + LOG_BATCHES.count)
        budget = replace(LOG_BATCHES, count=sample - LOG_BATCHES.warmup)
        result.latencies[LOG_BATCH_METRICS] = repeat(
            lambda i: self.client.log_batch(self.run_ids[i], metrics=full_metrics(i, self.t0)),
            budget,
        )
        self.with_history = LOG_BATCHES.warmup + len(result.latencies[LOG_BATCH_METRICS])
        budget = replace(budget, count=self.with_history - LOG_BATCHES.warmup)
        result.latencies[LOG_BATCH_PARAMS_TAGS] = repeat(
            lambda i: self.client.log_batch(
                self.run_ids[i],
                params=params_of(i),
                tags=[RunTag(f"t{k}", f"tag-{k}") for k in range(TAGS)],
            ),
            budget,
        )
        self.complete = LOG_BATCHES.warmup + len(result.latencies[LOG_BATCH_PARAMS_TAGS])
        self.label(f"log_batch (1,000 metrics) p50 {result.pct(LOG_BATCH_METRICS, 0.5):.1f} ms")

        result.seeding = self.seed()
        self.label(
            f"seeded {result.seeding.runs:,} runs in {result.seeding.seconds:.1f}s "
            f"({result.seeding.runs_per_s:,.0f} runs/s)"
        )
        result.runs = self.runs
        result.matching = sum(matches(i) for i in range(self.runs))

        self.check_filtered(self.search_filtered())
        result.latencies[SEARCH_FILTERED] = repeat(
            lambda i: self.search_filtered(), FILTERED_SEARCHES
        )
        self.label(f"filtered search p50 {result.pct(SEARCH_FILTERED, 0.5):.1f} ms")
        self.check_all(self.search_all())
        result.latencies[SEARCH_ALL] = repeat(lambda i: self.search_all(), FULL_SEARCHES)
        self.label(f"full search p50 {result.pct(SEARCH_ALL, 0.5):.1f} ms")

        self.check_history()
        result.latencies[METRIC_HISTORY] = repeat(
            lambda i: self.client.get_metric_history(
                self.run_ids[i % self.with_history], f"m{i % METRIC_KEYS}"
            ),
            HISTORIES,
        )

    def seed(self) -> Seeding:
        """New runs fill the experiment; runs of the measured phase without their params
        (or history) get them here."""
        existing = len(self.run_ids)
        self.run_ids.extend([""] * (self.runs - existing))
        indices = range(self.complete, self.runs)
        done = 0
        lock = threading.Lock()
        began = time.perf_counter()

        def one(index: int) -> None:
            nonlocal done
            if index >= existing:
                self.run_ids[index] = self.create_run(index)
            metrics, params, tags = seed_batch(index, self.t0)
            if index < self.with_history:
                metrics = []
            self.client.log_batch(self.run_ids[index], metrics=metrics, params=params, tags=tags)
            with lock:
                done += 1
                if done % max(1, len(indices) // 5) == 0:
                    self.label(f"seeding: {done:,}/{len(indices):,}")

        with ThreadPoolExecutor(SEED_THREADS) as pool:
            for _ in pool.map(one, indices):
                pass
        created = self.runs - existing
        return Seeding(
            runs=created,
            requests=created + len(indices),
            seconds=time.perf_counter() - began,
            threads=SEED_THREADS,
        )

    def search_filtered(self) -> list[Run]:
        """The first PAGE matching runs, following page tokens as the client's own
        `mlflow.search_runs` does: a server may answer a page with fewer runs and a token
        (Keel ends a page before its reply outgrows one Kafka record)."""
        runs: list[Run] = []
        token: str | None = None
        while len(runs) < PAGE:
            page = self.client.search_runs(
                [self.experiment_id],
                FILTER,
                order_by=ORDER_BY,
                max_results=PAGE - len(runs),
                page_token=token,
            )
            runs.extend(page)
            token = page.token
            if not token:
                break
        return runs

    def search_all(self) -> list[Run]:
        runs: list[Run] = []
        token: str | None = None
        while True:
            page = self.client.search_runs([self.experiment_id], max_results=PAGE, page_token=token)
            runs.extend(page)
            token = page.token
            if not token:
                return runs

    # ------------------------------------------------------------------------ the checks

    def problem(self, message: str) -> None:
        self.label(f"PROBLEM: {message}")
        self.result.problems.append(message)

    def check_filtered(self, runs: list[Run]) -> None:
        expected = min(PAGE, self.result.matching)
        if len(runs) != expected:
            self.problem(f"filtered search returned {len(runs)} runs, expected {expected}")
        values = [run.data.metrics.get("m0", float("nan")) for run in runs]
        if values != sorted(values, reverse=True):
            self.problem("filtered search: not ordered by metrics.m0 DESC")
        wrong = [
            run.info.run_id
            for run in runs
            if not (run.data.params.get("p0") == "x" and run.data.metrics.get("m0", 0) > 0.5)
        ]
        if wrong:
            self.problem(f"filtered search: {len(wrong)} runs do not match the filter")

    def check_all(self, runs: list[Run]) -> None:
        ids = {run.info.run_id for run in runs}
        if len(runs) != self.runs or len(ids) != self.runs:
            self.problem(
                f"paged search returned {len(runs)} runs ({len(ids)} distinct), "
                f"expected {self.runs}"
            )
        sample = runs[len(runs) // 2] if runs else None
        if sample is not None and (
            len(sample.data.metrics) != METRIC_KEYS or len(sample.data.params) != PARAMS
        ):
            self.problem(
                f"paged search: a run came back with {len(sample.data.metrics)} metrics and "
                f"{len(sample.data.params)} params, expected {METRIC_KEYS} and {PARAMS}"
            )

    def check_history(self) -> None:
        history = self.client.get_metric_history(self.run_ids[0], "m0")
        if sorted(m.step for m in history) != list(range(STEPS)):
            self.problem(f"get_metric_history: {len(history)} points, expected steps 0..99")


def main() -> int:
    config = json.loads(sys.argv[1])
    result = SideResult(server=config["server"], tracking_uri=config["tracking_uri"])
    result.load = os.getloadavg()
    began = time.perf_counter()
    try:
        Workload(result, config["runs"]).run()
    except Exception as exc:  # reported with the results: the other side still runs
        result.error = f"{type(exc).__name__}: {exc}"[:2000]
    result.seconds = time.perf_counter() - began
    print(result.to_json())
    return 0 if result.error is None else 1


if __name__ == "__main__":
    sys.exit(main())

"""Reading one secret, and timing reads: the paths the secrets benchmark compares (a
gateway route on its own keep-alive client, or hvac straight to OpenBao), measured
sequentially in turn and by closed-loop threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import hvac

from bench.runtime import log
from bench.stats import percentile

WARMUP_READS = 50  # per path, sequential, before the measured rounds
WARMUP_CONCURRENT_READS = 200  # per warmed path, at --concurrency, before everything
WARM_UP_S = 30.0  # rounds of those until this much time has passed
# Paths through an HTTP server and Kafka, which are warmed up at concurrency first.
WARMED_PATHS = ("sql", "vault", "relay", "hops")

Read = Callable[[], None]
Connect = Callable[[], AbstractContextManager[Read]]


class ReadFailed(RuntimeError):
    pass


@dataclass
class PathResult:
    path: str
    latencies: list[float]  # sequential, ms, sorted
    reads_per_s: float
    concurrent: list[float]  # ms, sorted

    def pct(self, q: float) -> float:
        return percentile(self.latencies, q)


# ---------------------------------------------------------------------------- readers


def gateway_reader(url: str, headers: dict[str, str], expected: dict[str, str]) -> Connect:
    @contextmanager
    def connect() -> Iterator[Read]:
        with httpx.Client(headers=headers, timeout=30) as http:
            checked = False

            def read() -> None:
                nonlocal checked
                response = http.get(url)
                if response.status_code != 200:
                    raise ReadFailed(f"GET {url}: {response.status_code} {response.text}")
                if not checked:
                    if response.json()["values"] != expected:
                        raise ReadFailed(f"GET {url}: not the values written")
                    checked = True

            yield read

    return connect


def direct_reader(address: str, token: str, path: str, expected: dict[str, str]) -> Connect:
    @contextmanager
    def connect() -> Iterator[Read]:
        client = hvac.Client(url=address, token=token)
        checked = False

        def read() -> None:
            nonlocal checked
            stored = client.secrets.kv.v2.read_secret_version(
                path, mount_point="secret", raise_on_deleted_version=True
            )
            if not checked:
                if stored["data"]["data"] != expected:
                    raise ReadFailed(f"direct read of {path}: not the values written")
                checked = True

        try:
            yield read
        finally:
            client.adapter.close()

    return connect


# ---------------------------------------------------------------------------- measuring


def sequential(connects: dict[str, Connect], reads: int, warmup: int) -> dict[str, list[float]]:
    """`reads` rounds of one read per path, in turn, each path on its own keep-alive client:
    whatever drifts during the run (a JVM still compiling, background work) falls on every
    path alike."""
    with ExitStack() as clients:
        readers = {label: clients.enter_context(connect()) for label, connect in connects.items()}
        for _ in range(warmup):
            for read in readers.values():
                read()
        latencies: dict[str, list[float]] = {label: [] for label in readers}
        for _ in range(reads):
            for label, read in readers.items():
                started = time.perf_counter()
                read()
                latencies[label].append((time.perf_counter() - started) * 1000)
    return {label: sorted(values) for label, values in latencies.items()}


def concurrently(connect: Connect, reads: int, concurrency: int) -> tuple[float, list[float]]:
    """`reads` reads by `concurrency` closed-loop threads, each with its own client;
    reads/s over the wall time from a common start, and every read's latency."""
    shares = [reads // concurrency + (i < reads % concurrency) for i in range(concurrency)]
    start = threading.Barrier(concurrency + 1)

    def worker(share: int) -> list[float]:
        try:
            with connect() as read:
                read()  # the connection is up before the clock starts
                start.wait(timeout=120)
                latencies = []
                for _ in range(share):
                    began = time.perf_counter()
                    read()
                    latencies.append((time.perf_counter() - began) * 1000)
                return latencies
        except BaseException:
            start.abort()
            raise

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(worker, share) for share in shares]
        try:
            start.wait(timeout=120)
        except threading.BrokenBarrierError:
            for future in futures:
                future.result()  # raises the worker's error
            raise
        began = time.perf_counter()
        latencies = [ms for future in futures for ms in future.result()]
        elapsed = time.perf_counter() - began
    return reads / elapsed, sorted(latencies)


def measure(connects: dict[str, Connect], reads: int, concurrency: int) -> list[PathResult]:
    began = time.perf_counter()
    # Unmeasured: pools fill and the broker's JVM compiles its hot paths, which takes
    # thousands of calls (an RPC falls from ~10 ms to ~3 ms over the first 20 s).
    while time.perf_counter() - began < WARM_UP_S:
        for label in WARMED_PATHS:
            concurrently(connects[label], WARMUP_CONCURRENT_READS, concurrency)
    log(f"warmed up in {time.perf_counter() - began:.1f}s")
    latencies = sequential(connects, reads, WARMUP_READS)
    results = []
    for label, connect in connects.items():
        rate, concurrent = concurrently(connect, reads, concurrency)
        log(f"{label}: p50 {percentile(latencies[label], 0.5):.2f} ms, {rate:,.0f} reads/s")
        results.append(PathResult(label, latencies[label], rate, concurrent))
    return results

"""The relay path's hops with none of its work: what the architecture alone costs here.

A relay read crosses HTTP to the gateway, then Kafka four times (gateway -> secrets service
-> relay -> secrets service -> gateway), each hop into another process. The stand-in has
the same shape, in three processes on the same broker: `bench.hops_gateway` (uvicorn and
FastAPI, no authentication) asks a forwarding `bench.rpc_server_process`, which asks an
echo one. No token check, database, Vault read, signature or sealing: its latency is the
floor under any implementation of the path on this machine and broker.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import httpx

from bench.infra import REPO
from bench.secret_reads import Connect, Read, ReadFailed
from keel_devstack.process import ManagedProcess, free_port

FORWARDER = "bench-hops-secrets"
ECHO = "bench-hops-relay"


class Hops:
    def __init__(self, home: Path, kafka_env: dict[str, str]) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hops"
        # Started from the far end, so each process finds the next one subscribed.
        self.processes = [
            self._process(ECHO, ["bench.rpc_server_process", ECHO], kafka_env),
            self._process(
                FORWARDER,
                ["bench.rpc_server_process", FORWARDER, "--forward-to", ECHO],
                kafka_env,
            ),
            self._process(
                "bench-hops-gateway", ["bench.hops_gateway", str(self.port), FORWARDER], kafka_env
            ),
        ]

    def _process(self, name: str, module: list[str], env: dict[str, str]) -> ManagedProcess:
        return ManagedProcess(
            name=name,
            argv=[sys.executable, "-m", *module],
            log_path=self.home / f"{name}.log",
            env=env,
            cwd=REPO,
        )

    def start(self, timeout: float = 60) -> None:
        for process in self.processes:
            process.start()
            process.wait_ready(partial(_printed_ready, process.log_path), timeout)
        # A consumer group takes requests only once it has joined; until then a request is
        # never seen, so ask with a short timeout until one is answered.
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise ReadFailed(f"the no-work stand-in did not answer within {timeout:g}s")
            time.sleep(0.2)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def reader(self) -> Connect:
        url = self.url

        @contextmanager
        def connect() -> Iterator[Read]:
            with httpx.Client(timeout=30) as http:

                def read() -> None:
                    response = http.get(url)
                    if response.status_code != 200:
                        raise ReadFailed(f"GET {url}: {response.status_code} {response.text}")

                yield read

        return connect


def _printed_ready(log_path: Path) -> bool:
    return "ready" in log_path.read_text(errors="replace").split()

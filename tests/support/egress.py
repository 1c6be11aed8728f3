"""Whom a stack's processes talk to: proof that a deployment makes no outside contact.

Two witnesses, because neither sees everything alone:
- `SocketSampler` reads every socket of every process in the stack's process tree from the
  kernel's tables, many times a second: native components (Postgres, the broker, OpenBao)
  and C event loops included; a connection that opens and closes between two samples is
  missed.
- `egress_audit/sitecustomize.py` makes each Python process note every bind, connect,
  sendto and name lookup made through Python's socket module as it happens.
"""

from __future__ import annotations

import ipaddress
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TypedDict

import psutil

AUDIT_HOOK_DIR = Path(__file__).parent / "egress_audit"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_local(host: str | None) -> bool:
    """Loopback, a wildcard lookup, or a Unix socket path: nothing leaves the machine."""
    if not host or host.startswith("/") or host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False  # a name other than localhost: a lookup that may leave the machine
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


@dataclass(frozen=True)
class Endpoint:
    process: str
    host: str
    port: int


@dataclass
class SocketSampler:
    """Samples the sockets of `root_pid` and all its descendants until stopped."""

    root_pid: int
    interval_s: float = 0.02
    remote: set[Endpoint] = field(default_factory=set)
    listening: set[Endpoint] = field(default_factory=set)
    processes: set[str] = field(default_factory=set)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> SocketSampler:
        self._thread = threading.Thread(target=self._run, name="socket-sampler", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        root = psutil.Process(self.root_pid)
        while not self._stop.wait(self.interval_s):
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in tree:
                self._sample(process)
            self.samples += 1

    def _sample(self, process: psutil.Process) -> None:
        try:
            name = process.name()
            connections = process.net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            return
        self.processes.add(name)
        for connection in connections:
            if connection.raddr:
                self.remote.add(Endpoint(name, connection.raddr.ip, connection.raddr.port))
            if connection.status == psutil.CONN_LISTEN:
                self.listening.add(Endpoint(name, connection.laddr.ip, connection.laddr.port))

    def outside(self) -> list[Endpoint]:
        """Every endpoint seen that is not on this machine's loopback."""
        return sorted(
            (e for e in self.remote | self.listening if not is_local(e.host)),
            key=lambda e: (e.process, e.host, e.port),
        )


class AuditedCall(TypedDict):
    pid: int
    event: str
    host: str | None


def audited_calls(log: Path) -> list[AuditedCall]:
    """What the Python processes noted (egress_audit/sitecustomize.py)."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

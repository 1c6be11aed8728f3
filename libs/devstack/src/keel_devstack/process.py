"""Child processes that the local stack owns: start, wait until ready, stop cleanly."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ComponentError(RuntimeError):
    """A component could not start; the message says why in words a user can act on."""


def as_user(user: str | None) -> dict[str, Any]:
    """Popen arguments that drop to `user` with its own group only. Without `group` and
    `extra_groups` the child keeps root's group, and group permissions then shut it out
    of directories that grant access to "others"."""
    if user is None:
        return {}
    entry = pwd.getpwnam(user)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def require_free_port(name: str, port: int) -> None:
    if not port_is_free(port):
        raise ComponentError(
            f"{name} cannot start: port {port} on 127.0.0.1 is already in use. "
            f"Stop whatever holds it (`keel dev down` if it is an earlier Keel stack) "
            f"or choose another port."
        )


@dataclass
class ManagedProcess:
    """One child process with its log file; stopping escalates SIGTERM → SIGKILL."""

    name: str
    argv: Sequence[str]
    log_path: Path
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    user: str | None = None
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            list(self.argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            **as_user(self.user),
            # Own process group: Ctrl-C in the terminal reaches the supervisor only, which
            # then stops children in order instead of everything dying at once.
            start_new_session=True,
        )
        log.close()

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_ready(self, check: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise ComponentError(
                    f"{self.name} exited during start-up; its log is {self.log_path}:\n"
                    f"{self.log_tail()}"
                )
            if check():
                return
            time.sleep(0.1)
        raise ComponentError(
            f"{self.name} did not become ready within {timeout:.0f}s; log: {self.log_path}\n"
            f"{self.log_tail()}"
        )

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

    def kill(self) -> None:
        """SIGKILL, no goodbye: what a crash looks like to the rest of the system."""
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)

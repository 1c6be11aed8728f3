"""The two witnesses Scenario 3's test relies on (tests/support/egress.py) do report an
outside contact when there is one: a socket open to the world, seen from each side."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.egress import AUDIT_HOOK_DIR, SocketSampler, audited_calls, is_local

# Binds every interface, which a component of an isolated deployment must not do, and
# waits to be seen.
_OPEN_TO_THE_WORLD = """
import socket, sys, time
server = socket.socket()
server.bind(("0.0.0.0", 0))
server.listen()
print(server.getsockname()[1], flush=True)
time.sleep(30)
"""


def test_loopback_and_unix_sockets_are_local_and_nothing_else_is() -> None:
    for host in ("127.0.0.1", "127.8.9.1", "::1", "::ffff:127.0.0.1", "localhost", None, ""):
        assert is_local(host), host
    assert is_local("/tmp/.s.PGSQL.5432")
    for host in ("0.0.0.0", "10.1.2.3", "::", "2001:db8::1", "pypi.org", "169.254.169.254"):
        assert not is_local(host), host


def test_both_witnesses_report_a_socket_bound_to_every_interface(tmp_path: Path) -> None:
    log = tmp_path / "egress.jsonl"
    env = {**os.environ, "PYTHONPATH": str(AUDIT_HOOK_DIR), "KEEL_TEST_EGRESS_LOG": str(log)}
    child = subprocess.Popen(
        [sys.executable, "-c", _OPEN_TO_THE_WORLD], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        port = int(child.stdout.readline())
        with SocketSampler(child.pid, interval_s=0.01) as sockets:
            deadline = time.monotonic() + 10
            while not sockets.outside() and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
    assert [(e.host, e.port) for e in sockets.outside()] == [("0.0.0.0", port)]
    binds = [c for c in audited_calls(log) if c["event"] == "socket.bind"]
    assert [c["host"] for c in binds] == ["0.0.0.0"]
    assert binds[0]["pid"] == child.pid

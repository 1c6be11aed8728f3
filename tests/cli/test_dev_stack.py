"""`keel dev up|status|down`: the README's run command, as a user runs it."""

from __future__ import annotations

import json
import signal
import socket
import subprocess

from keel_devstack.process import port_is_free
from tests.cli.conftest import KEEL, keel
from tests.support.processes import wait_for_line


def test_up_refuses_clearly_when_a_port_is_taken(stack_env: dict[str, str]) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", int(stack_env["KEEL_DEV_KAFKA_PORT"])))
        holder.listen()
        result = keel("dev", "up", env=stack_env)
    assert result.returncode == 1
    assert (
        f"port {stack_env['KEEL_DEV_KAFKA_PORT']} on 127.0.0.1 is already in use" in result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_status_and_down_without_a_stack_say_so(stack_env: dict[str, str]) -> None:
    status = keel("dev", "status", "--json", env=stack_env)
    assert status.returncode == 3
    assert json.loads(status.stdout) == {"running": False}
    assert keel("dev", "down", env=stack_env).returncode == 3


def test_up_status_down(stack_env: dict[str, str]) -> None:
    up = subprocess.Popen(
        [KEEL, "dev", "up"],
        env=stack_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = wait_for_line(up, "Press Ctrl-C to stop.", timeout=120)
        gateway = f"http://127.0.0.1:{stack_env['KEEL_DEV_GATEWAY_PORT']}"
        assert any(gateway in line for line in lines)
        # Start-up takes tens of seconds: each step is reported as it completes, in order.
        steps = [line.strip() for line in lines if line.startswith("  ") and line.endswith(" s)\n")]
        assert [s.split(" (")[0] for s in steps] == [
            "PostgreSQL ready",
            "Kafka broker ready",
            "OpenBao ready",
            "every service answers",
        ]

        status = keel("dev", "status", "--json", env=stack_env)
        assert status.returncode == 0, status.stderr
        report = json.loads(status.stdout)
        assert report["running"] is True
        assert report["health"]["status"] == "ok"
        assert {s["status"] for s in report["health"]["services"].values()} == {"ok"}

        down = keel("dev", "down", env=stack_env)
        assert down.returncode == 0, down.stderr
        assert up.wait(60) == 0
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.wait(60)
    for name in ("GATEWAY", "POSTGRES", "KAFKA", "OPENBAO"):
        assert port_is_free(int(stack_env[f"KEEL_DEV_{name}_PORT"])), f"{name} still listening"

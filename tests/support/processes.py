"""Run a test helper module in its own Python process, pointed at the test infrastructure."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from keel_common.settings import BusSettings

REPO = Path(__file__).resolve().parents[2]


def spawn(
    module: str, *args: str, settings: BusSettings, database_url: str
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "KEEL_KAFKA_BOOTSTRAP": settings.bootstrap,
        "KEEL_KAFKA_PROFILE": settings.profile,
        "KEEL_KAFKA_RETRY_BACKOFF_S": "0.05",
        "KEEL_TEST_DATABASE_URL": database_url,
        "PYTHONPATH": str(REPO),
    }
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], text: str, timeout: float = 30) -> list[str]:
    """Read the process's output until a line contains `text`; returns the lines read."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never appeared; output so far:\n{''.join(lines)}")

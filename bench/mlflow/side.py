"""One side of the comparison: the workload in a process of its own, against one server."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.mlflow.results import SideResult
from bench.runtime import log

# The client's environment, the same on both sides. No retries: a failed request fails the
# side instead of hiding in a latency; no telemetry thread competing for the 2 cores.
CLIENT_ENV = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}


def run_workload(server: str, tracking_uri: str, token: str | None, runs: int) -> SideResult:
    """The workload's result; a workload that stopped on an error says so in `error`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MLFLOW_TRACKING_", "MLFLOW_HTTP_"))
    }
    env.update(CLIENT_ENV)
    if token is not None:
        env["MLFLOW_TRACKING_TOKEN"] = token
    config = json.dumps({"server": server, "tracking_uri": tracking_uri, "runs": runs})
    log(f"{server}: workload against {tracking_uri}, {runs:,} runs")
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.mlflow.workload", config],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        out, _ = process.communicate()
    finally:
        if process.poll() is None:  # interrupted: the workload goes too
            process.kill()
            process.wait()
    lines = out.strip().splitlines()
    try:
        result = SideResult.from_json(lines[-1])
    except (IndexError, ValueError, TypeError, KeyError):
        result = SideResult(server, tracking_uri)
        result.error = f"the workload exited with {process.returncode} and no result"
    if result.error:
        log(f"{server}: FAILED: {result.error}")
    else:
        log(f"{server}: workload done in {result.seconds:.0f}s")
    return result

"""`python -m bench.mlflow`: the command line, the servers' lifetimes, Ctrl-C and SIGTERM."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.mlflow.baseline import missing_driver, mlflow_server
from bench.mlflow.keel import tracking_uri_and_token
from bench.mlflow.render import Comparison, render
from bench.mlflow.results import SideResult
from bench.mlflow.side import run_workload
from bench.mlflow.workload import MIN_RUNS
from bench.runtime import log, raise_interrupt
from bench.service_logs import report_log_problems
from bench.stacks import stack_in
from keel_devstack.process import ComponentError
from keel_devstack.stack import BrokerProfile, Stack


def measure_keel(stack: Stack, runs: int) -> SideResult:
    """Keel's side on the whole stack, then everything of Keel but Postgres stopped."""
    began = time.perf_counter()
    stack.start()
    log(f"stack up on {stack.infra.broker_profile} in {time.perf_counter() - began:.1f}s")
    logs = sorted((stack.home / "logs").glob("*.log"))
    result = SideResult("Keel", f"{stack.gateway_url}/mlflow/workspaces/?")
    try:
        uri, token = tracking_uri_and_token(stack)
    except Exception as exc:  # the other side still runs
        result.error = f"no workspace or API key to measure with: {exc}"
    else:
        result = run_workload("Keel", uri, token, runs)
    finally:
        report_log_problems(logs, tail=30 if result.error else 0)
        for process in reversed(stack.services):
            process.stop()
        stack.infra.openbao.stop()
        stack.infra.kafka.stop()
    return result


def measure_mlflow(stack: Stack, home: Path, runs: int) -> SideResult:
    try:
        with mlflow_server(stack.infra.postgres, home) as url:
            return run_workload("MLflow", url, None, runs)
    except ComponentError as exc:  # it did not start: Keel's side is still worth printing
        result = SideResult("MLflow", "")
        result.error = f"mlflow server: {exc}"
        return result


def run(args: argparse.Namespace) -> Comparison:
    broker: BrokerProfile = args.broker
    comparison = Comparison(broker=broker, runs=args.runs)
    # One principal sends every request of Keel's side; MLflow's server has no such limit.
    os.environ["KEEL_GATEWAY_PRINCIPAL_REQUESTS_PER_S"] = "1000000"
    os.environ["KEEL_GATEWAY_PRINCIPAL_BURST"] = "1000000"
    with tempfile.TemporaryDirectory(prefix="keel-bench-mlflow-") as tmp:
        stack = stack_in(Path(tmp) / "stack", broker)
        mlflow_home = Path(tmp) / "mlflow"
        try:
            # Keel first: its services are stopped before MLflow's turn, so that neither
            # side shares the machine with the other's idle processes. Postgres serves both.
            if args.side in ("both", "keel"):
                comparison.keel = measure_keel(stack, args.runs)
            else:
                stack.infra.postgres.start()
            if args.side in ("both", "mlflow"):
                comparison.mlflow = measure_mlflow(stack, mlflow_home, args.runs)
        finally:
            stack.stop()
            if args.logs is not None:
                for logs in (stack.home / "logs", mlflow_home):
                    if logs.exists():
                        shutil.copytree(logs, args.logs, dirs_exist_ok=True, ignore=_not_logs)
                postgres_log = stack.home / "postgres" / "postgres.log"
                if postgres_log.exists():
                    shutil.copy(postgres_log, args.logs)
                log(f"logs copied to {args.logs}")
    return comparison


def _not_logs(directory: str, names: list[str]) -> list[str]:
    return [name for name in names if not name.endswith(".log")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mlflow",
        description="The MLflow client's workload against Keel and against `mlflow server`.",
    )
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    parser.add_argument(
        "--runs", type=int, default=10_000, metavar="N", help="runs in the searched experiment"
    )
    parser.add_argument(
        "--side",
        choices=["both", "keel", "mlflow"],
        default="both",
        help="measure one server only (mlflow: no Keel services are started)",
    )
    parser.add_argument("--logs", type=Path, help="copy the servers' logs here at the end")
    args = parser.parse_args(argv)
    if args.runs < MIN_RUNS:
        parser.error(f"--runs >= {MIN_RUNS}")
    if args.side != "keel" and (why := missing_driver()):
        parser.error(why)

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    began = time.perf_counter()
    try:
        comparison = run(args)
    except KeyboardInterrupt:
        log("interrupted; everything started has been stopped")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    log(f"done in {time.perf_counter() - began:.0f}s")
    print(render(comparison))
    sides = [s for s in (comparison.mlflow, comparison.keel) if s is not None]
    return 1 if any(s.error for s in sides) else 0


if __name__ == "__main__":
    sys.exit(main())

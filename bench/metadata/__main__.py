"""`python -m bench.metadata`: the command line, the stack's lifetime, Ctrl-C and SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from bench.metadata.measure import measure
from bench.metadata.render import render
from bench.metadata.results import Results
from bench.runtime import log, raise_interrupt
from bench.service_logs import report_log_problems
from bench.stacks import stack_in
from keel_devstack.stack import BrokerProfile


def run(args: argparse.Namespace, broker: BrokerProfile) -> Results:
    place: AbstractContextManager[str] = (
        tempfile.TemporaryDirectory(prefix="keel-bench-metadata-")
        if args.home is None
        else nullcontext(str(args.home))
    )
    with place as tmp:
        stack = stack_in(Path(tmp) / "stack", broker)
        failed = True
        try:
            began = time.perf_counter()
            stack.start()
            log(f"stack up on {broker} in {time.perf_counter() - began:.1f}s")
            results = asyncio.run(measure(stack, args, broker))
            failed = False
            return results
        finally:
            try:
                report_log_problems(
                    sorted((stack.home / "logs").glob("*.log")), tail=30 if failed else 0
                )
            finally:
                stack.stop()
                if args.logs is not None:
                    shutil.copytree(stack.home / "logs", args.logs, dirs_exist_ok=True)
                    postgres_log = stack.home / "postgres" / "postgres.log"
                    if postgres_log.exists():
                        shutil.copy(postgres_log, args.logs)
                    log(f"logs copied to {args.logs}")


def _interrupted(exc: BaseException | None) -> bool:
    """Ctrl-C or SIGTERM, also when cleaning up after it failed in turn (an interrupted
    COPY leaves asyncpg unable to roll back: that error then carries the interrupt)."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__context__
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.metadata",
        description="Run lists, run details and ingestion of the metadata store at scale.",
    )
    parser.add_argument("--runs", type=int, default=1_000_000, metavar="N")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200, metavar="N")
    parser.add_argument("--ingest-runs", type=int, default=1500, metavar="K")
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    parser.add_argument("--logs", type=Path, help="copy the stack's logs here at the end")
    parser.add_argument(
        "--home",
        type=Path,
        help="keep the stack (and its seeded database) in this directory instead of a "
        "temporary one; a later run with the same --home measures it again without seeding",
    )
    args = parser.parse_args(argv)
    if args.runs < 200 or args.steps < 1 or args.requests < 1 or args.ingest_runs < 0:
        parser.error("--runs >= 200, --steps and --requests >= 1, --ingest-runs >= 0")
    broker: BrokerProfile = args.broker

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    began = time.perf_counter()
    try:
        results = run(args, broker)
    except BaseException as exc:
        if not _interrupted(exc):
            raise
        log("interrupted; everything started has been stopped")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    log(f"done in {time.perf_counter() - began:.0f}s")
    print(render(results, args.requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())

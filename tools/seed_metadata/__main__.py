"""`python -m tools.seed_metadata`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from tools.seed_metadata.load import _log, seed
from tools.seed_metadata.plan import Plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.seed_metadata",
        description="Bulk-load a realistic dataset into the metadata service's database.",
    )
    parser.add_argument("--database-url", required=True, help="the metadata service's DB URL")
    parser.add_argument("--workspace", required=True, type=uuid.UUID)
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--pipelines", type=int, default=50)
    parser.add_argument("--stacks", type=int, default=5)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50_000, help="runs per transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vacuum", action="store_true", help="VACUUM (ANALYZE), not ANALYZE")
    args = parser.parse_args(argv)
    if args.runs < 0 or args.steps < 0 or args.batch < 1:
        parser.error("--runs and --steps must not be negative, --batch must be positive")
    if args.pipelines < 1:
        parser.error("--pipelines must be at least 1")
    plan = Plan(
        workspace_id=args.workspace,
        runs=args.runs,
        steps=args.steps,
        pipelines=args.pipelines,
        stacks=args.stacks,
        users=args.users,
        batch=args.batch,
        seed=args.seed,
    )
    report = asyncio.run(seed(args.database_url, plan, vacuum=args.vacuum))
    _log(f"done: {report.runs:,} runs, {report.steps:,} steps in {report.seconds:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

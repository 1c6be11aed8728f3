"""`python -m bench`: run the fabric benchmarks and print the results as markdown tables.

python -m bench [--broker tansu|kafka|both] [--rpc-calls N] [--events N] [--inbox-events N]
                [--concurrency 1,8,32] [--fetch-waits 1,50,500] [--idle-consumers N]

See bench/README.md for what each figure measures.
"""

from __future__ import annotations

import argparse
import sys
import time

from bench.echo import quiet_faststream
from bench.fabric import run
from bench.report import render
from bench.runtime import Options, log
from keel_common.logging import configure_logging
from keel_common.settings import BrokerProfile, LogSettings


def int_list(value: str) -> list[int]:
    try:
        numbers = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {value!r}"
        ) from None
    if any(n < 0 for n in numbers):
        raise argparse.ArgumentTypeError("values must not be negative")
    return numbers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Keel fabric benchmarks on real brokers."
    )
    parser.add_argument("--broker", choices=["tansu", "kafka", "both"], default="both")
    parser.add_argument(
        "--rpc-calls",
        type=int,
        default=2000,
        metavar="N",
        help="calls per RPC row (0 skips RPC); default 2000",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=20000,
        metavar="N",
        help="events for raw publish and for the relay alone (0 skips them); default 20000",
    )
    parser.add_argument(
        "--inbox-events",
        type=int,
        default=4000,
        metavar="N",
        help="events through the whole pipeline: outbox write -> relay -> consumer with "
        "inbox (0 skips it); default 4000",
    )
    parser.add_argument(
        "--concurrency",
        type=int_list,
        default=[1, 8, 32],
        metavar="LIST",
        help="callers in flight per RPC row; default 1,8,32",
    )
    parser.add_argument(
        "--fetch-waits",
        type=int_list,
        default=[1, 50, 500],
        metavar="LIST",
        help="extra cross-process rows at these fetch_max_wait_ms values, "
        "concurrency 1 (empty to skip); default 1,50,500",
    )
    parser.add_argument(
        "--idle-consumers",
        type=int,
        default=0,
        metavar="N",
        help="also measure the CPU that N idle consumers cost at each fetch wait; default 0 "
        "(not measured)",
    )
    args = parser.parse_args(argv)  # fmt: skip

    if not args.concurrency or 0 in args.concurrency:
        parser.error("--concurrency needs positive integers")
    brokers: list[BrokerProfile] = ["tansu", "kafka"] if args.broker == "both" else [args.broker]
    options = Options(
        rpc_calls=args.rpc_calls,
        events=args.events,
        inbox_events=args.inbox_events,
        concurrency=args.concurrency,
        fetch_waits=args.fetch_waits,
        idle_consumers=args.idle_consumers,
    )
    configure_logging("bench", LogSettings(level="WARNING", format="console"))
    quiet_faststream()
    began = time.perf_counter()
    try:
        results = run(brokers, options)
    except KeyboardInterrupt:
        log("interrupted; everything started has been stopped")
        return 130
    log(f"done in {time.perf_counter() - began:.0f}s")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Secret read latency through the gateway, per backend, beside a direct read from OpenBao.

    python -m bench.secrets [--broker tansu|kafka] [--reads N] [--concurrency 8]

One fresh stack per run (embedded Postgres, the broker, the control plane's OpenBao, the
four services and the gateway as processes) in a temporary directory on free ports, plus
the customer's side of scenario 2: a second OpenBao and one `keel-relay` replica holding a
least-privilege token. Three workspaces, one secret each (one key, a 100-byte value):

- `sql`: HTTP -> gateway -> Kafka -> secrets service (Postgres, envelope decryption) -> back
- `vault`: the same, the service reading KV v2 from the control plane's OpenBao
- `relay`: the same, the service asking the relay over Kafka (signed command, reply sealed
  to a one-use key); the relay reads the customer's OpenBao
- `direct`: hvac straight to the customer's OpenBao, same path as the relay reads (root
  token), i.e. what the relay path is compared with.
- `hops`: the relay path's HTTP hop and four Kafka hops through three processes that do
  none of its work (bench.hops): the floor under the relay path on this machine.

Warm-up (unmeasured): 200 reads per path through HTTP and Kafka at `--concurrency`, then
50 sequential reads per path. Latency: `--reads` sequential rounds of one read per path in
turn, each path on its own keep-alive client (p50/p99). Throughput: per path, `--reads`
reads by `--concurrency` closed-loop threads, each with its own client (reads/s).
Everything started is stopped on the way out, also on an error, Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.hops import Hops
from bench.runtime import log, raise_interrupt
from bench.secret_reads import (
    Connect,
    PathResult,
    ReadFailed,
    direct_reader,
    gateway_reader,
    measure,
)
from bench.service_logs import log_lengths, report_log_problems
from bench.stacks import stack_in
from bench.stats import fmt_ms, percentile
from keel_devstack.openbao import OpenBao
from keel_devstack.stack import BrokerProfile, Stack
from tests.e2e.conftest import RunningServices
from tests.e2e.relay_support import (
    PATH_PREFIX,
    Relay,
    customer_vault,
    least_privilege_token,
    register_relay,
)

# The target: the relay path adds under this much p50 over the direct read.
TARGET_OVERHEAD_MS = 10.0
SECRET_NAME = "app/bench"


@dataclass
class Setup:
    """Everything the run started, so it can all be stopped."""

    stack: Stack
    customer: OpenBao | None = None
    relay: Relay | None = None
    hops: Hops | None = None
    readers: dict[str, Connect] = field(default_factory=dict)


# ---------------------------------------------------------------------------- the stack


def api(http: httpx.Client, method: str, url: str, expect: int, **kwargs: Any) -> Any:
    response = http.request(method, url, **kwargs)
    if response.status_code != expect:
        raise ReadFailed(f"{method} {url}: {response.status_code} {response.text}")
    return response.json() if response.content else None


def prepare(setup: Setup, home: Path) -> None:
    """Workspaces on each backend with one secret, the customer's OpenBao and a relay."""
    stack = setup.stack
    base = stack.gateway_url
    credentials = stack.infra.credentials
    values = {"api_key": secrets.token_hex(50)}  # 100 bytes
    with httpx.Client(timeout=30) as http:
        login = {"email": credentials.admin_email, "password": credentials.admin_password}
        tokens = api(http, "POST", f"{base}/api/v1/auth/login", 200, json=login)
        headers = {"Authorization": f"Bearer {tokens['access_token']}"}
        http.headers.update(headers)

        def workspace(backend: str) -> str:
            slug = f"bench-{backend}-{secrets.token_hex(3)}"
            created = api(
                http, "POST", f"{base}/api/v1/workspaces", 201, json={"name": slug, "slug": slug}
            )
            workspace_id: str = created["id"]
            return workspace_id

        def use(workspace_id: str, backend: dict[str, str]) -> None:
            url = f"{base}/api/v1/workspaces/{workspace_id}/secrets-backend"
            api(http, "PUT", url, 200, json=backend)

        def secret(workspace_id: str, backend: str) -> Connect:
            url = f"{base}/api/v1/workspaces/{workspace_id}/secrets"
            created = api(http, "POST", url, 201, json={"name": SECRET_NAME, "values": values})
            if created["backend"] != backend:
                raise ReadFailed(f"secret created on {created['backend']}, not {backend}")
            return gateway_reader(f"{url}/{created['id']}/values", headers, values)

        setup.readers["sql"] = secret(workspace("sql"), "sql")
        vault_ws = workspace("vault")
        use(vault_ws, {"kind": "vault"})
        setup.readers["vault"] = secret(vault_ws, "vault")

        customer_home = home / "customer"
        customer_home.mkdir()
        setup.customer = customer_vault(customer_home)
        relay_ws = workspace("relay")
        services = RunningServices(stack.infra, base, {}, {})
        relay_id, enrollment = register_relay(services, relay_ws, headers)
        setup.relay = Relay(
            services,
            relay_ws,
            headers,
            relay_id,
            enrollment,
            setup.customer,
            least_privilege_token(setup.customer),
            customer_home,
        )
        setup.relay.start_replica("a")
        setup.relay.wait_online({"a"})
        use(relay_ws, {"kind": "relay", "relay_id": relay_id})
        setup.readers["relay"] = secret(relay_ws, "relay")
        setup.readers["direct"] = direct_reader(
            setup.customer.address,
            setup.customer.root_token(),
            f"{PATH_PREFIX}/{SECRET_NAME}",
            values,
        )
    setup.hops = Hops(home / "hops", stack.infra.kafka_env())
    setup.hops.start()
    setup.readers["hops"] = setup.hops.reader()


def log_files(setup: Setup) -> list[Path]:
    files = sorted((setup.stack.home / "logs").glob("*.log"))
    if setup.relay is not None:
        files += sorted(setup.relay.home.glob("relay-*.log"))
    return files


def teardown(setup: Setup) -> None:
    if setup.hops is not None:
        setup.hops.stop()
    if setup.relay is not None:
        setup.relay.stop()
    if setup.customer is not None:
        setup.customer.stop()
    setup.stack.stop()


def run(broker: BrokerProfile, reads: int, concurrency: int) -> list[PathResult]:
    with tempfile.TemporaryDirectory(prefix="keel-bench-secrets-") as tmp:
        home = Path(tmp)
        stack = stack_in(home / "stack", broker)
        setup = Setup(stack)
        failed = True
        measured_from: dict[Path, int] = {}
        try:
            began = time.perf_counter()
            stack.start()
            log(f"stack up on {broker} in {time.perf_counter() - began:.1f}s")
            prepare(setup, home)
            log("workspaces, secrets, customer OpenBao and relay ready")
            measured_from = log_lengths(log_files(setup))
            results = measure(setup.readers, reads, concurrency)
            failed = False
            return results
        finally:
            try:
                report_log_problems(log_files(setup), measured_from, tail=30 if failed else 0)
            finally:
                teardown(setup)


# ---------------------------------------------------------------------------- output


def render(broker: BrokerProfile, concurrency: int, results: list[PathResult]) -> str:
    by_path = {r.path: r for r in results}
    names = {
        "sql": "gateway -> `sql` backend",
        "vault": "gateway -> `vault` backend (control-plane OpenBao)",
        "relay": "gateway -> `relay` backend (relay -> customer OpenBao)",
        "direct": "direct hvac read, customer OpenBao",
        "hops": "the relay path's hops doing no work (HTTP, 4 Kafka hops, 3 processes)",
    }
    lines = [
        f"broker: {broker}; machine: {os.cpu_count()} cores, Python {platform.python_version()}",
        "",
        f"| path | p50 ms | p99 ms | reads/s (c={concurrency}) | p50 / p99 ms at c={concurrency} |",
        "|---|---:|---:|---:|---:|",
    ]
    for label in ("sql", "vault", "relay", "direct", "hops"):
        r = by_path[label]
        lines.append(
            f"| {names[label]} | {fmt_ms(r.pct(0.5))} | {fmt_ms(r.pct(0.99))} "
            f"| {r.reads_per_s:,.0f} | {fmt_ms(percentile(r.concurrent, 0.5))} / "
            f"{fmt_ms(percentile(r.concurrent, 0.99))} |"
        )
    overhead = by_path["relay"].pct(0.5) - by_path["direct"].pct(0.5)
    hop = by_path["relay"].pct(0.5) - by_path["vault"].pct(0.5)
    floor = by_path["hops"].pct(0.5) - by_path["direct"].pct(0.5)
    met = "met" if overhead < TARGET_OVERHEAD_MS else "NOT met"
    lines += [
        "",
        f"relay p50 - direct p50 = {overhead:.2f} ms "
        f"(target < {TARGET_OVERHEAD_MS:g} ms on Apache Kafka: "
        + (met if broker == "kafka" else f"{met} here, but this run is on {broker}")
        + ")",
        f"relay p50 - vault p50 = {hop:.2f} ms (the relay hop itself: both read KV v2 from "
        "an OpenBao on this machine)",
        f"hops p50 - direct p50 = {floor:.2f} ms (what the path's processes and Kafka hops "
        "add before any of its work: no relay path can add less here)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.secrets",
        description="Secret read latency through the gateway per backend, and a direct read.",
    )
    parser.add_argument("--broker", choices=["tansu", "kafka"], default="tansu")
    parser.add_argument("--reads", type=int, default=300, metavar="N")
    parser.add_argument("--concurrency", type=int, default=8, metavar="C")
    args = parser.parse_args(argv)
    if args.reads < 1 or args.concurrency < 1:
        parser.error("--reads and --concurrency must be positive")
    broker: BrokerProfile = args.broker

    previous = signal.signal(signal.SIGTERM, raise_interrupt)
    began = time.perf_counter()
    try:
        results = run(broker, args.reads, args.concurrency)
    except KeyboardInterrupt:
        log("interrupted; everything started has been stopped")
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    log(f"done in {time.perf_counter() - began:.0f}s")
    print(render(broker, args.concurrency, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Auth benchmarks: token verification in the gateway's helper, and login latency.

    python -m bench.auth [--verifications N] [--logins N]

Verification runs in this process on one core against a cached JWKS (what the gateway
does per request). Login runs against the real stack (Postgres, Tansu, the auth service and
the gateway as processes): HTTP → gateway → Kafka → auth (argon2id) → Kafka → gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from keel_common.auth.tokens import TokenVerifier
from keel_devstack.process import free_port
from keel_devstack.stack import Stack, StackSettings
from tests.support.keys import AUDIENCE, ISSUER, SigningKey


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def verifications_per_second(count: int) -> tuple[float, float]:
    key = SigningKey.generate("bench")

    async def jwks() -> dict[str, Any]:
        return {"keys": [key.jwk]}

    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, fetch_jwks=jwks)
    tokens = [key.mint(sub=f"user:{i}") for i in range(min(count, 1000))]
    await verifier.verify(tokens[0])  # loads the JWKS once
    started = time.perf_counter()
    for i in range(count):
        await verifier.verify(tokens[i % len(tokens)])
    elapsed = time.perf_counter() - started
    return count / elapsed, elapsed / count * 1e6


def login_latencies(count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as home:
        settings = StackSettings(
            home=Path(home),
            gateway_port=free_port(),
            postgres_port=free_port(),
            kafka_port=free_port(),
            openbao_port=free_port(),
        )
        stack = Stack(settings)
        with stack.running():
            credentials = stack.infra.credentials
            body = {"email": credentials.admin_email, "password": credentials.admin_password}
            url = f"{stack.gateway_url}/api/v1/auth/login"
            with httpx.Client() as http:
                for _ in range(3):  # warm-up: connections, key caches
                    http.post(url, json=body).raise_for_status()
                latencies = []
                for _ in range(count):
                    started = time.perf_counter()
                    http.post(url, json=body).raise_for_status()
                    latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.auth")
    parser.add_argument("--verifications", type=int, default=20000)
    parser.add_argument("--logins", type=int, default=30)
    args = parser.parse_args()

    rate, micros = asyncio.run(verifications_per_second(args.verifications))
    print("| auth measurement | result |")
    print("|---|---|")
    print(
        f"| RS256 access-token verifications (1 core, cached JWKS) | "
        f"{rate:,.0f}/s ({micros:.0f} µs each) |"
    )
    if args.logins:
        latencies = login_latencies(args.logins)
        print(
            f"| password login through the gateway (Tansu), n={len(latencies)} | "
            f"p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 95):.0f} ms |"
        )


if __name__ == "__main__":
    main()

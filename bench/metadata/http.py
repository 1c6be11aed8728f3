"""HTTP through the gateway: a checked call, the admin's login, timed GETs."""

from __future__ import annotations

import time
from typing import Any

import httpx

from bench.metadata.results import BenchError
from keel_devstack.stack import Stack

WARMUP = 20


async def api(http: httpx.AsyncClient, method: str, url: str, expect: int, **kw: Any) -> Any:
    response = await http.request(method, url, **kw)
    if response.status_code != expect:
        raise BenchError(f"{method} {url}: {response.status_code} {response.text[:500]}")
    return response.json() if response.content else None


async def login(http: httpx.AsyncClient, stack: Stack) -> None:
    credentials = stack.infra.credentials
    body = {"email": credentials.admin_email, "password": credentials.admin_password}
    tokens = await api(http, "POST", f"{stack.gateway_url}/api/v1/auth/login", 200, json=body)
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"


async def timed(
    http: httpx.AsyncClient, url: str, params: list[dict[str, Any]], warmup: int = WARMUP
) -> tuple[list[float], Any]:
    """GET `url` once per entry of `params` (the first `warmup` unmeasured); latencies in ms
    of the rest, sorted, and the last response's body."""
    latencies: list[float] = []
    body: Any = None
    for i, query in enumerate(params):
        started = time.perf_counter()
        response = await http.get(url, params=query)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchError(f"GET {url} {query}: {response.status_code} {response.text[:500]}")
        body = response.json()
        if i >= warmup:
            latencies.append(elapsed)
    return sorted(latencies), body

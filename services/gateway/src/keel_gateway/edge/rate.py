"""Per-principal request rate: a token bucket per caller, in memory.

A runaway script or a leaked key must not starve everyone else: each principal gets a
sustained rate and a burst; past them it gets 429 with `Retry-After`. Per gateway
instance, like the sign-in window: N instances allow N times the rate."""

from __future__ import annotations

import math
import time

from fastapi import Request

from keel_gateway.auth.rate_limit import TooManyRequests

MAX_TRACKED = 100_000


class TokenBuckets:
    def __init__(self, per_second: float, burst: int) -> None:
        self._rate = per_second
        self._burst = float(burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated at)

    def take(self, key: str) -> None:
        now = time.monotonic()
        tokens, updated = self._buckets.get(key, (self._burst, now))
        tokens = min(self._burst, tokens + (now - updated) * self._rate)
        if tokens < 1:
            retry_after = math.ceil((1 - tokens) / self._rate)
            raise TooManyRequests(
                f"over {self._rate:g} requests a second for this caller; slow down",
                retry_after=retry_after,
            )
        self._buckets[key] = (tokens - 1, now)
        if len(self._buckets) > MAX_TRACKED:  # full buckets carry no information
            self._buckets = {
                k: (t, u)
                for k, (t, u) in self._buckets.items()
                if t + (now - u) * self._rate < self._burst
            }


def limit_principal(request: Request, subject: str) -> None:
    buckets: TokenBuckets = request.app.state.principal_buckets
    buckets.take(subject)

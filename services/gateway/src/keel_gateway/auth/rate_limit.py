"""Per-client-IP rate limit on sign-in routes: a sliding window of attempts in memory.

The per-account lockout in the auth service stops guessing one password; this stops one
address from spraying many accounts. In memory per gateway instance, so N instances allow
N times the budget — an upper bound that still turns a spray into a crawl.
"""

from __future__ import annotations

import time
from collections import deque

from fastapi import Request

from keel_common.errors import KeelError


class TooManyRequests(KeelError):
    status = 429
    slug = "too-many-requests"
    title = "Too many requests"


class SlidingWindow:
    def __init__(self, limit: int, window_s: float) -> None:
        self._limit = limit
        self._window_s = window_s
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str) -> None:
        now = time.monotonic()
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self._window_s:
            hits.popleft()
        if len(hits) >= self._limit:
            retry_after = int(hits[0] + self._window_s - now) + 1
            raise TooManyRequests(
                "too many sign-in attempts from this address; wait a little",
                retry_after=retry_after,
            )
        hits.append(now)
        if len(self._hits) > 100_000:  # a flood of addresses must not exhaust memory
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self._window_s}


async def limit_sign_in(request: Request) -> None:
    """A dependency for routes that check credentials."""
    window: SlidingWindow = request.app.state.sign_in_window
    window.hit(request.client.host if request.client else "unknown")

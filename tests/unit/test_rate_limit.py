"""The sign-in rate limit: a sliding window per client address."""

from __future__ import annotations

import time

import pytest

from keel_gateway.auth.rate_limit import SlidingWindow, TooManyRequests


def test_the_limit_applies_per_address_and_says_when_to_retry() -> None:
    window = SlidingWindow(limit=3, window_s=60)
    for _ in range(3):
        window.hit("10.0.0.1")
    with pytest.raises(TooManyRequests) as refused:
        window.hit("10.0.0.1")
    assert refused.value.status == 429
    assert 0 < refused.value.extra["retry_after"] <= 61
    window.hit("10.0.0.2")  # another address is unaffected


def test_attempts_leave_the_window() -> None:
    window = SlidingWindow(limit=2, window_s=0.2)
    window.hit("a")
    window.hit("a")
    time.sleep(0.25)
    window.hit("a")

"""When to try a request again, and how long to wait first.

The gateway answers 503 when the service behind a route is down or slow, and 429 when
a caller signs in too often; all three say when to come back (`Retry-After`). A request
that may have been carried out already (a POST that timed out) is only repeated when it
carries an `Idempotency-Key` (the SDK gives every create one), so a retry can never create
a thing twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Statuses that say "nothing was done, try later".
RETRY_ANY_METHOD = frozenset({429})
# Statuses after which the request may have taken effect: safe to repeat only if idempotent.
RETRY_IF_IDEMPOTENT = frozenset({502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_s: float = 0.25
    max_backoff_s: float = 8.0
    # A server asking for a longer wait than this is reported, not waited for.
    max_retry_after_s: float = 30.0

    def delay(
        self,
        attempt: int,
        *,
        method: str,
        status: int | None,
        idempotency_key: bool = False,
        connect_error: bool = False,
        retry_after: float | None = None,
    ) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None to give up.

        `status` is None when no response came back: a connection that was never made
        (`connect_error`) is safe to repeat for any method, a response lost midway only
        for idempotent ones.
        """
        if attempt >= self.attempts:
            return None
        repeatable = method.upper() in IDEMPOTENT_METHODS or idempotency_key
        if status is None:
            retry = connect_error or repeatable
        else:
            retry = status in RETRY_ANY_METHOD or (status in RETRY_IF_IDEMPOTENT and repeatable)
        if not retry:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after_s else None
        backoff = min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 1))
        # Full jitter: clients that failed together do not come back together.
        return random.uniform(backoff / 2, backoff)  # noqa: S311 (not cryptographic)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())

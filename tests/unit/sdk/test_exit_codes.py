"""Each kind of failure has its exit code, so scripts can tell them apart."""

from __future__ import annotations

import pytest

from keel.cli.exit_codes import ExitCode, exit_code_for
from keel.errors import (
    ApiError,
    Conflict,
    ConnectionFailed,
    Forbidden,
    InvalidRequest,
    KeelError,
    NotFound,
    NotLoggedIn,
    RateLimited,
    Unauthenticated,
    Unavailable,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (NotLoggedIn("run keel login"), 3),
        (Unauthenticated(status=401), 3),
        (Forbidden(status=403), 4),
        (NotFound(status=404), 5),
        (Conflict(status=409), 6),
        (InvalidRequest(status=422), 2),
        (Unavailable(status=503), 7),
        (Unavailable(status=504), 7),
        (RateLimited(status=429), 7),
        (ConnectionFailed("refused"), 7),
        (ApiError(status=500), 1),
        (KeelError("anything else"), 1),
    ],
)
def test_exit_code_per_failure(error: KeelError, code: int) -> None:
    assert exit_code_for(error) == code


def test_the_codes_are_stable() -> None:
    """Scripts depend on these numbers; docs/cli.md lists them. Change neither alone."""
    assert {c.name: c.value for c in ExitCode} == {
        "OK": 0,
        "FAILED": 1,
        "USAGE": 2,
        "NOT_LOGGED_IN": 3,
        "FORBIDDEN": 4,
        "NOT_FOUND": 5,
        "CONFLICT": 6,
        "UNAVAILABLE": 7,
    }

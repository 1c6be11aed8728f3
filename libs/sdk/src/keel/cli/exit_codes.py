"""Exit codes scripts can rely on, one per kind of failure (docs/cli.md lists them)."""

from __future__ import annotations

from enum import IntEnum

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


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # anything not below
    USAGE = 2  # wrong arguments or input (also what click answers for bad flags)
    NOT_LOGGED_IN = 3  # no credentials, or the gateway does not accept them (401)
    FORBIDDEN = 4  # signed in, but not allowed (403)
    NOT_FOUND = 5  # no such workspace, secret, run... (404)
    CONFLICT = 6  # already exists, or changed meanwhile (409)
    UNAVAILABLE = 7  # gateway unreachable, a service down or slow, rate limited: retry later


_BY_ERROR: list[tuple[type[KeelError], ExitCode]] = [
    (NotLoggedIn, ExitCode.NOT_LOGGED_IN),
    (Unauthenticated, ExitCode.NOT_LOGGED_IN),
    (Forbidden, ExitCode.FORBIDDEN),
    (NotFound, ExitCode.NOT_FOUND),
    (Conflict, ExitCode.CONFLICT),
    (InvalidRequest, ExitCode.USAGE),
    (Unavailable, ExitCode.UNAVAILABLE),
    (RateLimited, ExitCode.UNAVAILABLE),
    (ConnectionFailed, ExitCode.UNAVAILABLE),
    (ApiError, ExitCode.FAILED),
]


def exit_code_for(error: KeelError) -> ExitCode:
    for kind, code in _BY_ERROR:
        if isinstance(error, kind):
            return code
    return ExitCode.FAILED

"""What the SDK raises: one class per kind of failure a caller handles differently.

Every error the gateway answers is RFC 9457 problem+json; `ApiError` keeps all of it
(type, title, status, detail, request id, field errors) so a caller can log or show it,
and its subclass says what happened without comparing status codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import httpx


class KeelError(Exception):
    """Anything the SDK raises."""


class NotLoggedIn(KeelError):
    """No credentials: neither given to the client nor saved by `keel login`."""


class ConnectionFailed(KeelError):
    """The gateway could not be reached (after retries)."""


@dataclass(frozen=True)
class FieldError:
    """One invalid input: where it is (`values.DB_PASSWORD`, `query.limit`) and why."""

    field: str
    reason: str


@dataclass
class ApiError(KeelError):
    """The gateway refused or failed the request."""

    status: int
    type: str = "about:blank"
    title: str = ""
    detail: str | None = None
    request_id: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    # Extension members of the problem (`retry_after`, `service`, ...).
    extra: dict[str, Any] = field(default_factory=dict)

    statuses: ClassVar[tuple[int, ...]] = ()

    def __str__(self) -> str:
        text = f"{self.title or 'HTTP error'} ({self.status})"
        if self.detail:
            text += f": {self.detail}"
        for issue in self.errors:
            text += f"\n  {issue.field}: {issue.reason}"
        return text


class InvalidRequest(ApiError):
    statuses = (400, 413, 422)


class Unauthenticated(ApiError):
    statuses = (401,)


class Forbidden(ApiError):
    statuses = (403,)


class NotFound(ApiError):
    statuses = (404,)


class Conflict(ApiError):
    statuses = (409, 412)


class RateLimited(ApiError):
    statuses = (429,)


class Unavailable(ApiError):
    """A Keel service is down or did not answer in time; trying later may work."""

    statuses = (502, 503, 504)


_KINDS: tuple[type[ApiError], ...] = (
    InvalidRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    Unavailable,
)
_BY_STATUS = {status: kind for kind in _KINDS for status in kind.statuses}

_PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance", "errors", "request_id"}


def error_from_response(response: httpx.Response) -> ApiError:
    """The `ApiError` subclass for a failed response, carrying its problem details."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"title": response.reason_phrase, "detail": response.text[:500] or None}
    kind = _BY_STATUS.get(response.status_code, ApiError)
    issues = body.get("errors")
    return kind(
        status=response.status_code,
        type=str(body.get("type", "about:blank")),
        title=str(body.get("title") or response.reason_phrase),
        detail=body.get("detail") or body.get("error_description"),
        request_id=body.get("request_id") or response.headers.get("x-request-id"),
        errors=[
            FieldError(str(issue.get("field", "")), str(issue.get("reason", "")))
            for issue in (issues if isinstance(issues, list) else [])
            if isinstance(issue, dict)
        ],
        extra={k: v for k, v in body.items() if k not in _PROBLEM_MEMBERS},
    )

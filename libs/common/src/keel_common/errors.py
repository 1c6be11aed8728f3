"""One error family for the whole system.

Every expected failure is a `KeelError` with an HTTP status and a stable problem `type`.
It crosses Kafka as a `Problem` inside an RPC reply and leaves the gateway as RFC 9457
problem+json. Messages are written for the caller and must never contain secret values.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field, ValidationError

PROBLEM_BASE = "https://keel.dev/problems/"


class FieldIssue(BaseModel):
    """One invalid input: where it is and why it is refused."""

    field: str
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details, as sent to clients and carried in RPC replies."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldIssue] = Field(default_factory=list)
    # Extension members (e.g. `retry_after`, `service`); never secret values.
    extra: dict[str, Any] = Field(default_factory=dict)


class KeelError(Exception):
    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldIssue] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra

    def to_problem(self) -> Problem:
        return Problem(
            type=PROBLEM_BASE + self.slug,
            title=self.title,
            status=self.status,
            detail=self.detail,
            errors=self.errors,
            extra=self.extra,
        )


class InvalidInput(KeelError):
    status = 422
    slug = "invalid-input"
    title = "The request is not valid"


class Unauthenticated(KeelError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"


class Forbidden(KeelError):
    status = 403
    slug = "forbidden"
    title = "Not allowed"


class NotFound(KeelError):
    status = 404
    slug = "not-found"
    title = "Not found"


class PayloadTooLarge(KeelError):
    status = 413
    slug = "payload-too-large"
    title = "The request is too large"


class Conflict(KeelError):
    status = 409
    slug = "conflict"
    title = "Conflict with the current state"


class AlreadyExists(Conflict):
    """A create whose name is taken (MLflow clients branch on this one)."""

    slug = "already-exists"
    title = "It already exists"


class ServiceUnavailable(KeelError):
    status = 503
    slug = "service-unavailable"
    title = "A service Keel depends on is unavailable"


class ServiceTimeout(KeelError):
    """The owning service did not answer within the RPC deadline: to the client, the
    service is unavailable for now (503), whether it is stopped or overloaded; the problem
    type tells the two apart from a refusal. Not 504: that names an upstream gateway, and
    the client talks to Keel, not through it."""

    status = 503
    slug = "service-timeout"
    title = "A Keel service did not answer in time"


class FailAfterCommit(Exception):
    """Raised by a handler whose writes must be kept although the caller gets `error`,
    e.g. the failed-attempt counter of a refused login. The unit of work commits, then
    the error is answered."""

    def __init__(self, error: KeelError) -> None:
        super().__init__(error.detail)
        self.error = error


class RemoteError(KeelError):
    """A problem another service answered with, re-raised on the caller's side unchanged."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail, errors=problem.errors, **problem.extra)
        self.problem = problem

    def to_problem(self) -> Problem:
        return self.problem


def field_issues(exc: ValidationError) -> list[FieldIssue]:
    """Pydantic's errors as (field, reason) pairs, without echoing the input back."""
    return [
        FieldIssue(field=".".join(str(p) for p in e["loc"]) or "<body>", reason=e["msg"])
        for e in exc.errors(include_input=False, include_url=False)
    ]


def summarize(exc: ValidationError, limit: int = 10) -> str:
    """One line naming each invalid field and why, for logs and dead-letter reasons."""
    return "; ".join(f"{i.field}: {i.reason}" for i in field_issues(exc)[:limit])

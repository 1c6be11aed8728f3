"""Every error leaves the gateway as RFC 9457 problem+json; nothing else ever does.

Keel's own errors map one to one; FastAPI's validation errors name the field and the
reason; anything unexpected is logged with its traceback here and answered with a bare
500 that carries only the request id. The OpenAPI schema documents the problems a route
can answer (`ERRORS`), with the body's shape (`ProblemDetails`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from keel_common.errors import (
    PROBLEM_BASE,
    FieldIssue,
    InvalidInput,
    KeelError,
    Problem,
)
from keel_common.logging import get_logger

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_SCHEMA = "#/components/schemas/Problem"


class ProblemDetails(BaseModel):
    """An error as the gateway answers it: `Problem` with its extension members (such as
    `retry_after`, `service`, `field`) at the top level, and the request id."""

    model_config = ConfigDict(extra="allow", title="Problem")
    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str
    request_id: str | None = None
    errors: list[FieldIssue] | None = None


def problem_doc(description: str, *, retry: bool = False) -> dict[str, Any]:
    """One problem response for a route's `responses=`."""
    doc: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA}}},
    }
    if retry:
        seconds = {"description": "Seconds to wait", "schema": {"type": "integer"}}
        doc["headers"] = {"Retry-After": seconds}
    return doc


# What any API route may answer besides its success: the token, the permission, the
# resource, the body and its size, the caller's rate, and the service it forwards to.
ERRORS: dict[int | str, dict[str, Any]] = {
    400: problem_doc("The body cannot be read (not UTF-8)"),
    401: problem_doc("No valid credentials"),
    403: problem_doc("The caller lacks the permission this needs"),
    404: problem_doc("No such resource, or none the caller may see"),
    409: problem_doc("In conflict with the current state (a name taken, a stale version)"),
    413: problem_doc("The request body is too large"),
    422: problem_doc("The request is not valid; `errors` names each field and why"),
    429: problem_doc("Too many requests from this caller or address", retry=True),
    503: problem_doc(
        "A service Keel depends on is unavailable or did not answer in time", retry=True
    ),
}


def problem_response(request: Request, problem: Problem) -> JSONResponse:
    body = problem.model_dump(exclude_none=True, exclude={"extra"})
    if not problem.errors:
        body.pop("errors", None)
    body.update(problem.extra)
    body["instance"] = request.url.path
    body.update(traceable(request))
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=retry_hint(problem)
    )


def traceable(request: Request) -> dict[str, str]:
    """The request id, for an error body: what a caller quotes to find the logs."""
    request_id = getattr(request.state, "request_id", None)
    return {"request_id": request_id} if request_id else {}


def retry_hint(problem: Problem) -> dict[str, str]:
    """`Retry-After` when the problem says when to try again."""
    if "retry_after" in problem.extra:
        return {"Retry-After": str(problem.extra["retry_after"])}
    return {}


async def on_keel_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KeelError)
    return problem_response(request, exc.to_problem())


async def on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        request, InvalidInput(errors=[field_issue(e) for e in exc.errors()]).to_problem()
    )


def field_issue(error: dict[str, Any]) -> FieldIssue:
    location = [str(p) for p in error["loc"]]
    if error["type"] == "json_invalid":
        # FastAPI puts the character offset where the field name would be.
        return FieldIssue(field="<body>", reason=f"{error['msg']} at character {location[-1]}")
    # ("body", "name") → "name"; ("query", "limit") → "query.limit"
    field = ".".join(location[1:] if location[:1] == ["body"] else location)
    return FieldIssue(field=field or "<body>", reason=error["msg"])


async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    slug = {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(
        exc.status_code, "http-error"
    )
    problem = Problem(
        type=PROBLEM_BASE + slug,
        title=str(exc.detail),
        status=exc.status_code,
    )
    return problem_response(request, problem)


async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", path=request.url.path)
    return problem_response(request, KeelError().to_problem())


def document(app: FastAPI) -> None:
    """Add `ProblemDetails` to the app's OpenAPI schema, where `ERRORS` refer to it; call
    once every route is included. FastAPI would list a response `model` under the route's
    own media type (application/json), not under problem+json."""
    schemas = app.openapi().setdefault("components", {}).setdefault("schemas", {})
    body = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(body.pop("$defs", {}))
    schemas["Problem"] = body


def install(app: FastAPI) -> None:
    app.add_exception_handler(KeelError, on_keel_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)

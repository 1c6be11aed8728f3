"""Errors in MLflow's shape, `{"error_code": ..., "message": ...}`, on the MLflow routes.

MLflow's client branches on these codes (`set_experiment` creates the experiment only after
a 404 with RESOURCE_DOES_NOT_EXIST), so every failure on these routes, including the
gateway's own (token, permission, rate, body), leaves in this shape and never as
problem+json. Unexpected errors are logged here and answered without detail."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from keel_common.errors import PROBLEM_BASE, InvalidInput, KeelError, Problem
from keel_common.logging import get_logger
from keel_gateway.problems import field_issue, retry_hint, traceable

log = get_logger(__name__)

# Keel's problem types and the MLflow error codes its client knows.
CODES: dict[str, str] = {
    "invalid-input": "INVALID_PARAMETER_VALUE",
    "payload-too-large": "INVALID_PARAMETER_VALUE",
    "bad-request": "INVALID_PARAMETER_VALUE",
    "not-found": "RESOURCE_DOES_NOT_EXIST",
    "already-exists": "RESOURCE_ALREADY_EXISTS",
    "conflict": "INVALID_STATE",
    "unauthenticated": "UNAUTHENTICATED",
    "forbidden": "PERMISSION_DENIED",
    "too-many-requests": "REQUEST_LIMIT_EXCEEDED",
    "service-unavailable": "TEMPORARILY_UNAVAILABLE",
    "service-timeout": "TEMPORARILY_UNAVAILABLE",
}
# MLflow answers bad input with 400 where Keel says 422 or 413.
STATUS = {"INVALID_PARAMETER_VALUE": 400, "RESOURCE_ALREADY_EXISTS": 400, "INVALID_STATE": 400}


def mlflow_error(request: Request, problem: Problem) -> JSONResponse:
    code = CODES.get(problem.type.removeprefix(PROBLEM_BASE), "INTERNAL_ERROR")
    message = problem.detail or problem.title
    if problem.errors:
        message += ": " + "; ".join(f"{e.field}: {e.reason}" for e in problem.errors)
    body = {"error_code": code, "message": message, **traceable(request)}
    status = STATUS.get(code, problem.status)
    return JSONResponse(body, status_code=status, headers=retry_hint(problem))


class MlflowRoute(APIRoute):
    """A route whose every error, from its dependencies too, leaves in MLflow's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handle(request)
            except KeelError as exc:
                return mlflow_error(request, exc.to_problem())
            except RequestValidationError as exc:
                issues = [field_issue(e) for e in exc.errors()]
                return mlflow_error(request, InvalidInput(errors=issues).to_problem())
            except HTTPException as exc:
                problem = Problem(
                    type=PROBLEM_BASE + "bad-request", title=str(exc.detail), status=400
                )
                return mlflow_error(request, problem)
            except Exception:
                log.exception("unhandled error", path=request.url.path)
                return mlflow_error(request, KeelError().to_problem())

        return answer

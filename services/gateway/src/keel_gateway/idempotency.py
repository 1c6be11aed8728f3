"""`Idempotency-Key` on POST: a retried create gets the first one's answer.

The gateway only carries the key: it goes on the envelope of the RPC call that does the
route's work, and the owning service keeps the first reply in its own database in the same
unit of work (keel_common.bus.idempotency), so gateway instances need no shared state. Keys
are per caller and workspace; sign-in routes take none.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from keel_common.errors import FieldIssue, InvalidInput

HEADER = "Idempotency-Key"
MAX_LENGTH = 200


async def idempotency_key(request: Request) -> str | None:
    """The request's key, if it is a POST that sent one."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not 1 <= len(key) <= MAX_LENGTH or not key.isprintable():
        reason = f"1 to {MAX_LENGTH} printable characters"
        raise InvalidInput(
            f"{HEADER} must be {reason}",
            errors=[FieldIssue(field=f"header.{HEADER}", reason=reason)],
        )
    return key


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


def document(app: FastAPI) -> None:
    """Declare the header on every POST that honours it (all but sign-in); call once every
    route is included. It is read by a dependency, not declared per route, so that GET
    routes sharing that dependency do not advertise it."""
    parameter: dict[str, Any] = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_LENGTH},
        "description": "Send the same key again (same caller, workspace and request) to "
        "get the first answer instead of a second effect; kept for 24 hours.",
    }
    for path, operations in app.openapi().get("paths", {}).items():
        post = operations.get("post")
        if post is None or not path.startswith("/api/v1/") or path.startswith("/api/v1/auth/"):
            continue
        declared = post.setdefault("parameters", [])
        if not any(p.get("name") == HEADER for p in declared):
            declared.append(parameter)

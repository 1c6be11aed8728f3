"""No NUL characters in what a request carries.

Postgres text and jsonb cannot hold U+0000, so a value with one would fail deep inside a
service as a database error. Refused at the edge instead, naming the field."""

from __future__ import annotations

import json
from contextlib import suppress
from typing import Any

from fastapi import Request

from keel_common.errors import FieldIssue, InvalidInput

NUL = "\x00"


def _nul_in(value: Any, where: str) -> str | None:
    """Where the first NUL in a JSON value is, or None."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = [(str(index), item) for index, item in enumerate(value)]
    else:
        return None
    for key, item in items:
        inner = f"{where}.{key}" if where else key
        if NUL in key:
            return inner
        found = _nul_in(item, inner)
        if found is not None:
            return found
    return None


async def refuse_nul(request: Request) -> None:
    """A dependency for every API route: path, query and JSON body."""
    found = _nul_in(dict(request.path_params), "path") or _nul_in(
        dict(request.query_params), "query"
    )
    body = await request.body()
    if found is None and body:
        with suppress(ValueError):  # not JSON: the route's own parsing answers for that
            found = _nul_in(json.loads(body), "")
    if found is not None:
        reason = "NUL characters (U+0000) are not allowed"
        raise InvalidInput(errors=[FieldIssue(field=found or "<body>", reason=reason)])

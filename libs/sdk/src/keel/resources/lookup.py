"""Things are named by id or by name; these turn a name into the thing."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Protocol, TypeVar

from keel.errors import NotFound


class Named(Protocol):
    @property
    def id(self) -> uuid.UUID: ...

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def as_uuid(value: uuid.UUID | str) -> uuid.UUID | None:
    """The id, if `value` is one; None if it is a name."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def find(items: Iterable[N], ref: uuid.UUID | str, kind: str) -> N:
    """The item with this id or name, or the 404 the gateway would have answered."""
    wanted = as_uuid(ref)
    for item in items:
        if item.id == wanted or item.name == ref:
            return item
    raise NotFound(status=404, title="Not found", detail=f"no {kind} {str(ref)!r}")

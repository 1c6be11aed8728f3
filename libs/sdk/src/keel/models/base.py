"""The base of every result, and the page envelope of cursor-paginated lists."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict


class Resource(BaseModel):
    # Fields the gateway adds later are ignored, so an older SDK keeps working.
    model_config = ConfigDict(extra="ignore", frozen=True)


T = TypeVar("T", bound=Resource)


class Page(Resource, Generic[T]):
    items: list[T]
    next_cursor: str | None = None

"""Cursor pagination as a plain iterator: pages are fetched as the caller reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from keel.models import Page, Resource

T = TypeVar("T", bound=Resource)


def paginate(fetch_page: Callable[[str | None], Page[T]], limit: int | None = None) -> Iterator[T]:
    """Every item of every page, in order; at most `limit` items when given.

    A page's `next_cursor` names the next page; the last page has none.
    """
    cursor: str | None = None
    seen = 0
    while True:
        page = fetch_page(cursor)
        for item in page.items:
            if limit is not None and seen >= limit:
                return
            seen += 1
            yield item
        if not page.next_cursor or page.next_cursor == cursor:
            return
        cursor = page.next_cursor

"""Lookups remembered for the rest of one unit of work.

An ingestion batch applies hundreds of events in one session, and most of them name the
same pipeline and stack: each is looked up once per batch instead of once per run. The
memo lives in the session, so it ends with the transaction and never serves another.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

MEMO = "keel_metadata_memo"


async def remembered(
    session: AsyncSession, key: tuple[Any, ...], look_up: Callable[[], Awaitable[T]]
) -> T:
    """`look_up()` once per session and key; an answer of None is not remembered (the
    thing may be created later in the same unit of work)."""
    memo: dict[tuple[Any, ...], Any] = session.info.setdefault(MEMO, {})
    if key in memo:
        found: T = memo[key]
        return found
    answer = await look_up()
    if answer is not None:
        memo[key] = answer
    return answer

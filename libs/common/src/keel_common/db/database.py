"""A service's database handle and its unit of work.

`transaction()` is the one owner of commit/rollback: services `flush()`, never `commit()`.
After a commit that wrote outbox rows, the registered listeners are told, so the outbox
relay publishes at once instead of at its next poll.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

OUTBOX_WRITTEN = "keel_outbox_written"


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True
        )
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._outbox_listeners: list[Callable[[], None]] = []

    def on_outbox_commit(self, listener: Callable[[], None]) -> None:
        self._outbox_listeners.append(listener)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise
            if session.info.pop(OUTBOX_WRITTEN, False):
                for listener in self._outbox_listeners:
                    listener()

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()

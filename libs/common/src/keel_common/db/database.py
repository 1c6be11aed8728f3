"""A service's database handle and its unit of work.

`transaction()` is the one owner of commit/rollback: services `flush()`, never `commit()`.
After a commit that wrote outbox rows, the registered listeners are told, so the outbox
relay publishes at once instead of at its next poll.

Pooled connections are checked before use only when they have sat idle for
`IDLE_BEFORE_PING_S` (`ping_when_idle`), not on every checkout: SQLAlchemy's
`pool_pre_ping` costs three round trips on asyncpg (BEGIN, `;`, ROLLBACK) in front of every
unit of work, which on a one-row read doubled the service's round trips to Postgres. A
connection that died while in use (Postgres restarted) fails its request once; SQLAlchemy
then discards every connection of the pool opened before, and `RpcRouter` answers that
request with a 503 the caller may retry.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

OUTBOX_WRITTEN = "keel_outbox_written"
# Longer than the gaps between requests of a busy service, shorter than any idle timeout
# between it and Postgres (firewalls, PgBouncer) is likely to be.
IDLE_BEFORE_PING_S = 10.0
_IDLE_SINCE = "keel_idle_since"


class Database:
    def __init__(
        self, url: str, *, pool_size: int = 10, idle_before_ping_s: float = IDLE_BEFORE_PING_S
    ) -> None:
        self.engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
        ping_when_idle(self.engine.sync_engine, idle_before_ping_s)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # The same pool, each statement committing on its own: no BEGIN, no COMMIT.
        readers = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        refuse_writes(readers.sync_engine)
        self._readers = async_sessionmaker(readers, expire_on_commit=False)
        self._statements = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
        )
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
            self._tell_outbox_listeners(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A session for a handler that only reads. Its statements run outside any
        transaction, which saves two of a one-query read's three round trips; under READ
        COMMITTED (Postgres's default, and Keel's) a transaction gives reads no common
        snapshot anyway. A write through it is refused before it reaches Postgres."""
        async with self._readers() as session:
            yield session

    @asynccontextmanager
    async def statements(self) -> AsyncIterator[AsyncSession]:
        """A session whose statements each commit on their own, writes included, for a
        handler that reads and then records one row that needs nothing to commit with it (a
        secret read and its audit entry): no BEGIN and no COMMIT round trip. What it wrote
        stays written if the handler fails afterwards; it cannot be rolled back."""
        async with self._statements() as session:
            try:
                yield session
                await session.flush()
            finally:
                self._tell_outbox_listeners(session)

    def _tell_outbox_listeners(self, session: AsyncSession) -> None:
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


def ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Check a pooled connection on checkout if it has been idle for `idle_s`; a dead one
    is replaced (SQLAlchemy retries the checkout on `DisconnectionError`)."""

    @event.listens_for(engine, "checkin")
    def idle_from_now(_: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < idle_s:
            return
        try:
            dbapi_connection.ping()
        except Exception as exc:
            raise DisconnectionError("a pooled connection no longer answers") from exc


class WriteInReadOnlySession(RuntimeError):
    """A handler registered as read-only tried to change something: a bug, not input."""


def refuse_writes(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def only_reads(_: Any, __: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "WITH")):
            raise WriteInReadOnlySession(f"a read-only session may not run {statement[:40]!r}")

"""A service's pooled connections when Postgres drops them (a restart, a cut connection):
a connection idle long enough is checked and replaced before use; one that dies while in
regular use fails its request once, answered as a 503 to retry, and the pool recovers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database, WriteInReadOnlySession
from keel_common.db.fabric import outbox
from keel_common.errors import NotFound
from keel_common.outbox.writer import publish_after_commit
from tests.support.contracts import Echo, Echoed


@asynccontextmanager
async def _database(url: str, **options: Any) -> AsyncIterator[Database]:
    db = Database(url, **options)
    try:
        yield db
    finally:
        await db.close()


async def _now_moves(session: AsyncSession) -> bool:
    """Whether now() changes between two statements: it holds inside a transaction."""
    first = await session.scalar(text("SELECT now()"))
    await session.execute(text("SELECT pg_sleep(0.01)"))
    return bool(first != await session.scalar(text("SELECT now()")))


async def _backend_pids(db: Database) -> set[int]:
    async with db.transaction() as session:
        return {int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)}


async def _terminate_others(url: str) -> int:
    """Ends every other session of the database, as a Postgres restart would."""
    async with _database(url, pool_size=1) as killer, killer.transaction() as session:
        ended = await session.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return len(ended.all())


async def test_an_idle_dead_connection_is_replaced_before_use(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    # Every checkout counts as idle.
    async with _database(url, pool_size=1, idle_before_ping_s=0.0) as db:
        before = await _backend_pids(db)
        assert await _terminate_others(url) >= 1
        after = await _backend_pids(db)  # no error: pinged, found dead, replaced
        assert after != before


async def test_a_connection_lost_in_use_fails_once_then_the_pool_recovers(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    async with _database(url, pool_size=2) as db:  # busy: no checkout waits for a ping
        await _backend_pids(db)
        assert await _terminate_others(url) >= 1
        with pytest.raises(DBAPIError) as lost:
            await _backend_pids(db)
        assert lost.value.connection_invalidated
        assert await _backend_pids(db)  # a fresh connection


async def test_a_request_whose_connection_is_lost_is_answered_503_to_retry(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    async with _database(url, pool_size=1) as db:
        router = RpcRouter("ledger", db)

        @router.method(Echo)
        async def echo(request: Echo, ctx: RpcContext) -> Echoed:
            assert ctx.session is not None
            backend = await ctx.session.scalar(text("SELECT pg_backend_pid()"))
            return Echoed(text=f"{request.text} via {backend}")

        first = await router.dispatch(Envelope.wrap(Echo(text="a")))
        assert first.ok
        await _terminate_others(url)
        lost = await router.dispatch(Envelope.wrap(Echo(text="b")))
        assert not lost.ok and lost.problem is not None
        assert lost.problem.status == 503 and lost.problem.extra == {"retry_after": 1}
        assert "ledger lost its database connection" in (lost.problem.detail or "")
        again = await router.dispatch(Envelope.wrap(Echo(text="c")))
        assert again.ok and again.result != first.result


async def test_a_reading_session_runs_each_statement_on_its_own(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    # One connection, shared by both kinds of session.
    async with _database(url, pool_size=1) as db:
        async with db.reading() as session:
            # Outside a transaction, each statement is one: now() moves between them.
            assert await _now_moves(session)
            with pytest.raises(WriteInReadOnlySession):
                await session.execute(text("CREATE TABLE not_from_a_read (id int)"))
        async with db.transaction() as session:
            # The same connection, back in transactions: now() holds, writes are fine.
            await session.execute(text("CREATE TEMPORARY TABLE from_a_write (id int)"))
            assert not await _now_moves(session)


async def test_a_read_only_handler_answers_without_a_transaction(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    async with _database(url, pool_size=1) as db:
        router = RpcRouter("ledger", db)

        @router.method(Echo, read_only=True)
        async def echo(request: Echo, ctx: RpcContext) -> Echoed:
            assert ctx.session is not None
            alone = await _now_moves(ctx.session)  # moved: no transaction
            if request.text == "write":
                await ctx.session.execute(text("CREATE TABLE sneaky (id int)"))
            return Echoed(text=f"alone: {alone}")

        answer = await router.dispatch(Envelope.wrap(Echo(text="read")))
        assert answer.ok and answer.result == {"text": "alone: True"}
        refused = await router.dispatch(Envelope.wrap(Echo(text="write")))
        assert not refused.ok and refused.problem is not None
        assert refused.problem.status == 500  # a bug in the handler, not the caller's fault


async def test_an_autocommit_handler_keeps_what_it_wrote_when_it_then_fails(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    async with _database(url, pool_size=1) as db:
        outbox_commits: list[str] = []
        db.on_outbox_commit(lambda: outbox_commits.append("told"))
        router = RpcRouter("ledger", db)

        @router.method(Echo, autocommit=True)
        async def record(request: Echo, ctx: RpcContext) -> Echoed:
            session = ctx.db()
            alone = await _now_moves(session)  # moved: no transaction around the statements
            await session.execute(
                text("INSERT INTO effects (name, count) VALUES (:name, 1)"), {"name": request.text}
            )
            event = Envelope.wrap(Echo(text=request.text))
            await publish_after_commit(session, "test.autocommit", event)
            if request.text == "then-fail":
                raise NotFound("failed after recording")
            return Echoed(text=f"alone: {alone}")

        answer = await router.dispatch(Envelope.wrap(Echo(text="kept")))
        assert answer.ok and answer.result == {"text": "alone: True"}
        failed = await router.dispatch(Envelope.wrap(Echo(text="then-fail")))
        assert not failed.ok and failed.problem is not None and failed.problem.status == 404
        async with db.reading() as session:
            found = await session.execute(text("SELECT name FROM effects ORDER BY name"))
            assert [row.name for row in found] == ["kept", "then-fail"]
            queued = await session.scalar(select(func.count()).select_from(outbox))
        assert queued == 2
        assert outbox_commits == ["told", "told"]  # the outbox relay is woken each time

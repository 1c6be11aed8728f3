"""A service's pooled connections when Postgres drops them (a restart, a cut connection):
a connection idle long enough is checked and replaced before use; one that dies while in
regular use fails its request once, answered as a 503 to retry, and the pool recovers."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from tests.support.contracts import Echo, Echoed


async def _backend_pids(db: Database) -> set[int]:
    async with db.transaction() as session:
        return {int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)}


async def _terminate_others(url: str) -> int:
    """Ends every other session of the database, as a Postgres restart would."""
    killer = Database(url, pool_size=1)
    try:
        async with killer.transaction() as session:
            ended = await session.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return len(ended.all())
    finally:
        await killer.close()


async def test_an_idle_dead_connection_is_replaced_before_use(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    db = Database(url, pool_size=1, idle_before_ping_s=0.0)  # every checkout counts as idle
    try:
        before = await _backend_pids(db)
        assert await _terminate_others(url) >= 1
        after = await _backend_pids(db)  # no error: pinged, found dead, replaced
        assert after != before
    finally:
        await db.close()


async def test_a_connection_lost_in_use_fails_once_then_the_pool_recovers(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    db = Database(url, pool_size=2)  # busy: no checkout waits for a ping
    try:
        await _backend_pids(db)
        assert await _terminate_others(url) >= 1
        with pytest.raises(DBAPIError) as lost:
            await _backend_pids(db)
        assert lost.value.connection_invalidated
        assert await _backend_pids(db)  # a fresh connection
    finally:
        await db.close()


async def test_a_request_whose_connection_is_lost_is_answered_503_to_retry(
    fabric_db: tuple[Database, str],
) -> None:
    _, url = fabric_db
    db = Database(url, pool_size=1)
    router = RpcRouter("ledger", db)

    @router.method(Echo)
    async def echo(request: Echo, ctx: RpcContext) -> Echoed:
        assert ctx.session is not None
        backend = await ctx.session.scalar(text("SELECT pg_backend_pid()"))
        return Echoed(text=f"{request.text} via {backend}")

    try:
        first = await router.dispatch(Envelope.wrap(Echo(text="a")))
        assert first.ok
        await _terminate_others(url)
        lost = await router.dispatch(Envelope.wrap(Echo(text="b")))
        assert not lost.ok and lost.problem is not None
        assert lost.problem.status == 503 and lost.problem.extra == {"retry_after": 1}
        assert "ledger lost its database connection" in (lost.problem.detail or "")
        again = await router.dispatch(Envelope.wrap(Echo(text="c")))
        assert again.ok and again.result != first.result
    finally:
        await db.close()

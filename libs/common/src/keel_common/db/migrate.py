"""Run a service's Alembic migrations from code (at start-up or from its CLI)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

# Any fixed number: concurrent instances of one service serialise their migrations on it.
_MIGRATION_LOCK = 7_211_042


def alembic_config(script_location: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["keel_url"] = url
    return config


def upgrade_to_head(script_location: Path, url: str) -> None:
    """Blocking; call through `asyncio.to_thread` from async code."""
    command.upgrade(alembic_config(script_location, url), "head")


async def upgrade_to_head_async(script_location: Path, url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, script_location, url)


def run_env(target_metadata: MetaData | list[MetaData]) -> None:
    """The body of every service's `migrations/env.py`."""
    from alembic import context

    url = context.config.attributes["keel_url"]

    def run(connection: Connection) -> None:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(run_async())

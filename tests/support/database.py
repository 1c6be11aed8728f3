"""A scan that looks for values where they must not be: every row of a database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from keel_common.db.database import Database
from keel_common.db.migrate import upgrade_to_head_async
from keel_devstack.stack import Infrastructure
from tests.support.kafka import encoded_forms


async def assert_absent_from_database(url: str, secrets: list[str]) -> int:
    """Read every row of every table of the database at `url` as text and fail if one
    holds a secret, raw or base64-encoded. Returns how many rows it read."""
    forms = [form for s in secrets for form in encoded_forms(s)]
    db = Database(url, pool_size=1)
    try:
        async with db.engine.connect() as connection:
            tables = (
                await connection.execute(
                    text(
                        "SELECT schemaname, tablename FROM pg_tables "
                        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
                    )
                )
            ).all()
            rows = 0
            for schema, table in tables:
                quoted = f'"{schema}"."{table}"'
                for (row,) in await connection.execute(text(f"SELECT t::text FROM {quoted} t")):
                    rows += 1
                    # bytea renders as \\x<hex>: check the hex form as well.
                    found = row.encode()
                    leaked = [f for f in forms if f in found or f.hex().encode() in found]
                    assert not leaked, f"a secret value was found in table {quoted}"
            return rows
    finally:
        await db.close()


@asynccontextmanager
async def migrated_database(
    infra: Infrastructure, migrations: Path, prefix: str, pool_size: int = 2
) -> AsyncIterator[tuple[Database, str]]:
    """A fresh database on the tests' Postgres, migrated to head by Alembic from
    `migrations`; yields its handle and its URL (for subprocesses)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    infra.postgres.create_database(name)
    url = infra.postgres.url(name)
    await upgrade_to_head_async(migrations, url)
    db = Database(url, pool_size=pool_size)
    try:
        yield db, url
    finally:
        await db.close()

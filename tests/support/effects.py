"""The effect the fabric tests' event handlers have: a counter per name in `effects`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from tests.support.contracts import Counted


async def bump(envelope: Envelope, session: AsyncSession) -> None:
    counted = envelope.open(Counted)
    await session.execute(
        text(
            "INSERT INTO effects (name, count) VALUES (:name, 1) "
            "ON CONFLICT (name) DO UPDATE SET count = effects.count + 1"
        ),
        {"name": counted.name},
    )


async def count(db: Database, name: str) -> int:
    async with db.transaction() as session:
        value = await session.scalar(
            text("SELECT count FROM effects WHERE name = :name"), {"name": name}
        )
    return int(value or 0)

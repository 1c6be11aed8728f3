"""Every SQL query about service keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.keys.models import ServiceKey


async def active(session: AsyncSession, kind: str) -> ServiceKey | None:
    result = await session.execute(
        select(ServiceKey)
        .where(ServiceKey.kind == kind, ServiceKey.retired_at.is_(None))
        .order_by(ServiceKey.created_at.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def by_kid(session: AsyncSession, kid: str) -> ServiceKey | None:
    return await session.get(ServiceKey, kid)


async def published(
    session: AsyncSession, kind: str, retired_after: datetime
) -> Sequence[ServiceKey]:
    """Active keys, and retired ones whose tokens may still be valid."""
    result = await session.execute(
        select(ServiceKey)
        .where(
            ServiceKey.kind == kind,
            or_(ServiceKey.retired_at.is_(None), ServiceKey.retired_at > retired_after),
        )
        .order_by(ServiceKey.created_at)
    )
    return result.scalars().all()


async def add(session: AsyncSession, key: ServiceKey) -> None:
    session.add(key)
    await session.flush()

"""Every SQL query about relays and their replicas."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.relay import HeartbeatBody
from keel_secrets.relays.models import Relay, RelayInstance


async def add(session: AsyncSession, relay: Relay) -> Relay:
    session.add(relay)
    await session.flush()
    await session.refresh(relay)
    return relay


async def get(
    session: AsyncSession, relay_id: uuid.UUID, *, for_update: bool = False
) -> Relay | None:
    return await session.get(Relay, relay_id, with_for_update=for_update)


async def in_workspace(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Relay]:
    result = await session.execute(
        select(Relay).where(Relay.workspace_id == workspace_id).order_by(Relay.name)
    )
    return result.scalars().all()


async def by_name(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Relay | None:
    result = await session.execute(
        select(Relay).where(Relay.workspace_id == workspace_id, Relay.name == name)
    )
    return result.scalar_one_or_none()


async def instances(
    session: AsyncSession, relay_ids: Sequence[uuid.UUID]
) -> Sequence[RelayInstance]:
    result = await session.execute(
        select(RelayInstance)
        .where(RelayInstance.relay_id.in_(relay_ids))
        .order_by(RelayInstance.instance)
    )
    return result.scalars().all()


async def record_heartbeat(
    session: AsyncSession, body: HeartbeatBody, received_at: datetime
) -> None:
    """Upsert the replica's row; the time is ours (received), not the relay's clock."""
    values = {
        "last_heartbeat_at": received_at,
        "partitions": body.partitions,
        "vault": body.vault,
        "version": body.version,
    }
    statement = insert(RelayInstance).values(
        relay_id=body.relay_id, instance=body.instance, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["relay_id", "instance"],
            set_=values,
            # A late heartbeat never moves the clock back.
            where=RelayInstance.last_heartbeat_at < received_at,
        )
    )

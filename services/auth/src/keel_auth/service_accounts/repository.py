"""Every SQL query about service accounts and API keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.service_accounts.models import ApiKey, ServiceAccount


async def add_account(session: AsyncSession, account: ServiceAccount) -> ServiceAccount:
    session.add(account)
    await session.flush()
    await session.refresh(account)
    return account


async def account(session: AsyncSession, account_id: uuid.UUID) -> ServiceAccount | None:
    return await session.get(ServiceAccount, account_id)


async def accounts_in(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[ServiceAccount]:
    result = await session.execute(
        select(ServiceAccount)
        .where(ServiceAccount.workspace_id == workspace_id)
        .order_by(ServiceAccount.created_at)
    )
    return result.scalars().all()


async def add_key(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    await session.refresh(key)
    return key


async def key(session: AsyncSession, key_id: uuid.UUID) -> ApiKey | None:
    return await session.get(ApiKey, key_id)

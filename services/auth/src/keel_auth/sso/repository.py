"""Every SQL query about SSO configuration and logins in flight."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.sso.models import SsoConfig, SsoLogin


async def config(session: AsyncSession, organization_id: uuid.UUID) -> SsoConfig | None:
    return await session.get(SsoConfig, organization_id)


async def save_config(session: AsyncSession, value: SsoConfig) -> SsoConfig:
    merged = await session.merge(value)
    await session.flush()
    return merged


async def add_login(session: AsyncSession, login: SsoLogin) -> None:
    session.add(login)
    await session.flush()


async def take_login(session: AsyncSession, state: str) -> SsoLogin | None:
    result = await session.execute(
        select(SsoLogin).where(SsoLogin.state == state).with_for_update()
    )
    return result.scalar_one_or_none()


async def login_to_confirm(session: AsyncSession, confirmation_hash: str) -> SsoLogin | None:
    result = await session.execute(
        select(SsoLogin).where(SsoLogin.confirmation_hash == confirmation_hash).with_for_update()
    )
    return result.scalar_one_or_none()

"""Every SQL query about organizations, workspaces and users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity.models import Organization, User, Workspace


async def user_by_email(
    session: AsyncSession, email: str, *, for_update: bool = False
) -> User | None:
    """`for_update` locks the row, so concurrent sign-ins count failures one at a time."""
    query = select(User).where(User.email == email.lower())
    result = await session.execute(query.with_for_update() if for_update else query)
    return result.scalar_one_or_none()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def count_users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def add_organization(session: AsyncSession, name: str) -> Organization:
    organization = Organization(name=name)
    session.add(organization)
    await session.flush()
    return organization


async def add_user(
    session: AsyncSession, organization_id: uuid.UUID, email: str, password_hash: str | None
) -> User:
    user = User(organization_id=organization_id, email=email.lower(), password_hash=password_hash)
    session.add(user)
    await session.flush()
    return user


async def workspace_by_id(session: AsyncSession, workspace_id: uuid.UUID) -> Workspace | None:
    return await session.get(Workspace, workspace_id)


async def workspace_by_slug(
    session: AsyncSession, organization_id: uuid.UUID, slug: str
) -> Workspace | None:
    result = await session.execute(
        select(Workspace).where(
            Workspace.organization_id == organization_id, Workspace.slug == slug
        )
    )
    return result.scalar_one_or_none()


async def add_workspace(
    session: AsyncSession, organization_id: uuid.UUID, name: str, slug: str
) -> Workspace:
    workspace = Workspace(organization_id=organization_id, name=name, slug=slug)
    session.add(workspace)
    await session.flush()
    await session.refresh(workspace)
    return workspace


async def workspaces(
    session: AsyncSession, organization_id: uuid.UUID, only: Sequence[uuid.UUID] | None
) -> Sequence[Workspace]:
    """The organization's workspaces, or only those in `only` when it is given."""
    query = select(Workspace).where(Workspace.organization_id == organization_id)
    if only is not None:
        query = query.where(Workspace.id.in_(only))
    result = await session.execute(query.order_by(Workspace.slug))
    return result.scalars().all()

"""Every SQL query about role bindings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.rbac.models import CustomRole, RoleBinding


async def bindings_of(
    session: AsyncSession, subjects: Sequence[str], organization_id: uuid.UUID
) -> Sequence[RoleBinding]:
    result = await session.execute(
        select(RoleBinding).where(
            RoleBinding.subject.in_(subjects), RoleBinding.organization_id == organization_id
        )
    )
    return result.scalars().all()


async def bind(
    session: AsyncSession,
    subject: str,
    role: str,
    organization_id: uuid.UUID,
    workspace_id: uuid.UUID | None = None,
) -> RoleBinding:
    binding = RoleBinding(
        subject=subject, role=role, organization_id=organization_id, workspace_id=workspace_id
    )
    session.add(binding)
    await session.flush()
    return binding


async def unbind_workspace(session: AsyncSession, subject: str, workspace_id: uuid.UUID) -> None:
    await session.execute(
        delete(RoleBinding).where(
            RoleBinding.subject == subject, RoleBinding.workspace_id == workspace_id
        )
    )


async def custom_roles(
    session: AsyncSession, organization_id: uuid.UUID, names: Sequence[str] | None = None
) -> Sequence[CustomRole]:
    query = select(CustomRole).where(CustomRole.organization_id == organization_id)
    if names is not None:
        query = query.where(CustomRole.name.in_(names))
    result = await session.execute(query.order_by(CustomRole.name))
    return result.scalars().all()


async def add_custom_role(session: AsyncSession, role: CustomRole) -> CustomRole:
    session.add(role)
    await session.flush()
    return role

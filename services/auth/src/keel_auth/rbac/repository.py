"""Every SQL query about role bindings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.rbac.models import RoleBinding


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

"""Stacks. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.metadata import (
    CreateStack,
)
from keel_common.errors import Conflict, NotFound
from keel_metadata.memo import remembered
from keel_metadata.scope import Scope
from keel_metadata.stacks.models import Stack


async def create(session: AsyncSession, scope: Scope, request: CreateStack) -> Stack:
    """A new stack; the same stack submitted again is returned as it is (a retry)."""
    components = [c.model_dump(mode="json") for c in request.components]
    existing = await by_name(session, scope.workspace_id, request.name)
    if existing is not None:
        if existing.components == components and existing.description == request.description:
            return existing
        raise Conflict(f"a different stack named {request.name!r} exists", field="name")
    stack = Stack(
        workspace_id=scope.workspace_id,
        name=request.name,
        description=request.description,
        components=components,
        created_by=scope.actor,
    )
    session.add(stack)
    await session.flush()
    await session.refresh(stack)
    return stack


async def by_name(session: AsyncSession, workspace_id: uuid.UUID, name: str) -> Stack | None:
    query = select(Stack).where(Stack.workspace_id == workspace_id, Stack.name == name)

    async def look_up() -> Stack | None:
        return (await session.execute(query)).scalar_one_or_none()

    return await remembered(session, ("stack", workspace_id, name), look_up)


async def get(session: AsyncSession, workspace_id: uuid.UUID, stack_id: uuid.UUID) -> Stack:
    stack = await session.get(Stack, stack_id)
    if stack is None or stack.workspace_id != workspace_id:
        raise NotFound("no such stack in this workspace")
    return stack


async def listed(session: AsyncSession, workspace_id: uuid.UUID) -> Sequence[Stack]:
    query = select(Stack).where(Stack.workspace_id == workspace_id).order_by(Stack.name)
    return (await session.execute(query)).scalars().all()

"""What a principal may do: the union of its bindings' roles, at a scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity import repository as identity
from keel_auth.rbac import repository
from keel_auth.rbac.roles import effective
from keel_common.errors import Forbidden, Unauthenticated


@dataclass(frozen=True)
class Principal:
    subject: str  # `user:<id>`
    organization_id: uuid.UUID


async def principal_of(session: AsyncSession, actor: str | None) -> Principal:
    """The active user behind an envelope's actor; the gateway sets it after verifying."""
    if actor is None or not actor.startswith("user:"):
        raise Unauthenticated("no authenticated user")
    try:
        user_id = uuid.UUID(actor.removeprefix("user:"))
    except ValueError:
        raise Unauthenticated("no authenticated user") from None
    user = await identity.user_by_id(session, user_id)
    if user is None or not user.active:
        raise Unauthenticated("the user does not exist or is deactivated")
    return Principal(subject=actor, organization_id=user.organization_id)


async def permissions(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID | None
) -> frozenset[str]:
    """Effective permissions in `workspace_id` (organization-wide ones if None). A workspace
    of another organization grants nothing, whatever roles the principal holds at home."""
    if workspace_id is not None:
        workspace = await identity.workspace_by_id(session, workspace_id)
        if workspace is None or workspace.organization_id != principal.organization_id:
            return frozenset()
    bindings = await repository.bindings_of(session, [principal.subject], principal.organization_id)
    org_roles = [b.role for b in bindings if b.workspace_id is None]
    ws_roles = [
        b.role for b in bindings if workspace_id is not None and b.workspace_id == workspace_id
    ]
    return effective(org_roles, ws_roles)


async def bound_workspaces(session: AsyncSession, principal: Principal) -> list[uuid.UUID]:
    bindings = await repository.bindings_of(session, [principal.subject], principal.organization_id)
    return [b.workspace_id for b in bindings if b.workspace_id is not None]


async def require(
    session: AsyncSession, principal: Principal, needed: str, workspace_id: uuid.UUID | None
) -> None:
    if needed not in await permissions(session, principal, workspace_id):
        raise Forbidden(f"missing permission {needed}")

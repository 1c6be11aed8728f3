"""What a principal may do: the union of its bindings' roles, at a scope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity import repository as identity
from keel_auth.rbac import repository
from keel_auth.rbac.roles import WORKSPACE_ROLES, Action, Resource, effective, permission
from keel_auth.service_accounts import repository as accounts
from keel_auth.teams import repository as teams
from keel_common.errors import Forbidden, Unauthenticated


@dataclass(frozen=True)
class Principal:
    subject: str  # `user:<id>` or `service_account:<id>`
    organization_id: uuid.UUID
    # Service accounts are confined to their workspace; users are not.
    workspace_id: uuid.UUID | None = None


async def principal_of(session: AsyncSession, actor: str | None) -> Principal:
    """The active user or service account behind an envelope's actor (which the gateway
    sets after verifying the caller's token or key)."""
    kind, _, raw_id = (actor or "").partition(":")
    try:
        subject_id = uuid.UUID(raw_id)
    except ValueError:
        raise Unauthenticated("no authenticated principal") from None
    if kind == "user":
        user = await identity.user_by_id(session, subject_id)
        if user is not None and user.active:
            return Principal(subject=f"user:{user.id}", organization_id=user.organization_id)
    elif kind == "service_account":
        account = await accounts.account(session, subject_id)
        if account is not None and account.active:
            return Principal(
                subject=f"service_account:{account.id}",
                organization_id=account.organization_id,
                workspace_id=account.workspace_id,
            )
    raise Unauthenticated("the principal does not exist or is deactivated")


async def permissions(
    session: AsyncSession, principal: Principal, workspace_id: uuid.UUID | None
) -> frozenset[str]:
    """Effective permissions in `workspace_id` (organization-wide ones if None). A workspace
    of another organization grants nothing, whatever roles the principal holds at home."""
    if principal.workspace_id is not None and workspace_id != principal.workspace_id:
        return frozenset()
    if workspace_id is not None:
        workspace = await identity.workspace_by_id(session, workspace_id)
        if workspace is None or workspace.organization_id != principal.organization_id:
            return frozenset()
    bindings = await repository.bindings_of(
        session, await _subjects(session, principal), principal.organization_id
    )
    org_roles = [b.role for b in bindings if b.workspace_id is None]
    ws_roles = [
        b.role for b in bindings if workspace_id is not None and b.workspace_id == workspace_id
    ]
    own = [r for r in ws_roles if r not in WORKSPACE_ROLES]
    custom = {
        r.name: frozenset(r.permissions)
        for r in (
            await repository.custom_roles(session, principal.organization_id, own) if own else []
        )
    }
    return effective(org_roles, ws_roles, custom)


async def teams_of(session: AsyncSession, principal: Principal) -> list[uuid.UUID]:
    if not principal.subject.startswith("user:"):
        return []
    return await teams.teams_of(session, uuid.UUID(principal.subject.removeprefix("user:")))


async def _subjects(session: AsyncSession, principal: Principal) -> list[str]:
    """The principal and, for a user, every team it belongs to: bindings to any of them count."""
    return [principal.subject, *(f"team:{t}" for t in await teams_of(session, principal))]


async def visible_workspace_ids(
    session: AsyncSession, principal: Principal
) -> list[uuid.UUID] | None:
    """None when the principal may read every workspace of its organization (an org admin
    or viewer); otherwise the workspaces where it, or one of its teams, has a role."""
    bindings = await repository.bindings_of(
        session, await _subjects(session, principal), principal.organization_id
    )
    org_roles = [b.role for b in bindings if b.workspace_id is None]
    if permission(Resource.WORKSPACE, Action.READ) in effective(org_roles, []):
        return None
    return [b.workspace_id for b in bindings if b.workspace_id is not None]


async def require(
    session: AsyncSession, principal: Principal, needed: str, workspace_id: uuid.UUID | None
) -> None:
    if needed not in await permissions(session, principal, workspace_id):
        raise Forbidden(f"missing permission {needed}")

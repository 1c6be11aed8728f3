"""Workspaces and the first administrator. Takes a session; never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity import repository
from keel_auth.identity.models import Workspace
from keel_auth.rbac import repository as bindings
from keel_auth.rbac.roles import Action, Resource, permission
from keel_auth.rbac.service import Principal, require, visible_workspace_ids
from keel_auth.sessions.passwords import hash_password
from keel_auth.sessions.service import audit
from keel_common.errors import Conflict
from keel_common.logging import get_logger

log = get_logger(__name__)


async def create_workspace(
    session: AsyncSession, principal: Principal, name: str, slug: str
) -> Workspace:
    await require(session, principal, permission(Resource.WORKSPACE, Action.CREATE), None)
    if await repository.workspace_by_slug(session, principal.organization_id, slug) is not None:
        raise Conflict(f"a workspace with slug {slug!r} already exists", field="slug")
    workspace = await repository.add_workspace(session, principal.organization_id, name, slug)
    await audit(session, "workspace.create", "success", actor=principal.subject,
                target=f"workspace:{workspace.id}")  # fmt: skip
    return workspace


async def visible_workspaces(session: AsyncSession, principal: Principal) -> Sequence[Workspace]:
    """Every workspace of the organization for those who may read workspaces org-wide
    (admins, viewers); only those where it has a role for everyone else."""
    only = await visible_workspace_ids(session, principal)
    return await repository.workspaces(session, principal.organization_id, only)


async def bootstrap_admin(session: AsyncSession, email: str, password: str) -> bool:
    """Create the first organization and its administrator, once; False if users exist."""
    if await repository.count_users(session) > 0:
        return False
    organization = await repository.add_organization(session, "Default organization")
    user = await repository.add_user(session, organization.id, email, await hash_password(password))
    await bindings.bind(session, f"user:{user.id}", "admin", organization.id)
    log.info("bootstrap administrator created", user_id=str(user.id))
    return True

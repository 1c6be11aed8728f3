"""Membership changes: workspace roles and deactivation. Takes a session; never commits.

Each change is announced on `keel.events.auth` through the outbox, so every gateway drops
what it cached about the user within moments of the commit.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.identity import repository
from keel_auth.rbac import custom_roles
from keel_auth.rbac import repository as bindings
from keel_auth.rbac.roles import Action, Resource, permission
from keel_auth.rbac.service import Principal, require
from keel_auth.service_accounts.service import AUTH_EVENTS
from keel_auth.sessions import repository as refresh_tokens
from keel_auth.sessions.service import audit
from keel_auth.teams import repository as teams
from keel_common.contracts.auth import RoleBindingChanged, UserDeactivated
from keel_common.contracts.base import Contract, Envelope
from keel_common.errors import InvalidInput, NotFound
from keel_common.outbox.writer import publish_after_commit


async def _announce(session: AsyncSession, principal: Principal, event: Contract, key: str) -> None:
    await publish_after_commit(
        session, AUTH_EVENTS, Envelope.wrap(event, actor=principal.subject), key=key
    )


async def set_workspace_role(
    session: AsyncSession,
    principal: Principal,
    *,
    workspace_id: uuid.UUID,
    subject: str,
    role: str | None,
) -> None:
    """Bind `subject` (`user:<id>` or `team:<id>`) to `role` in the workspace, or unbind."""
    await require(session, principal, permission(Resource.MEMBER, Action.UPDATE), workspace_id)
    kind, _, raw_id = subject.partition(":")
    subject_id = uuid.UUID(raw_id)
    found = (
        await repository.user_by_id(session, subject_id)
        if kind == "user"
        else await teams.get(session, subject_id)
    )
    if found is None or found.organization_id != principal.organization_id:
        raise NotFound(f"no such {kind} in this organization")
    if role is not None:
        await custom_roles.ensure_exists(session, principal, role)
    await bindings.unbind_workspace(session, subject, workspace_id)
    if role is not None:
        await bindings.bind(session, subject, role, principal.organization_id, workspace_id)
    await _announce(
        session, principal, RoleBindingChanged(subject=subject, workspace=workspace_id), subject
    )
    await audit(session, "role_binding.change", "success", actor=principal.subject,
                target=subject, reason=f"workspace {workspace_id}: {role or 'none'}")  # fmt: skip


async def deactivate(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> None:
    await require(session, principal, permission(Resource.MEMBER, Action.DELETE), None)
    user = await repository.user_by_id(session, user_id)
    if user is None or user.organization_id != principal.organization_id:
        raise NotFound("no such user in this organization")
    if f"user:{user.id}" == principal.subject:
        raise InvalidInput("you cannot deactivate yourself", field="user_id")
    if user.active:
        user.active = False
        await refresh_tokens.revoke_user(session, user.id, datetime.now(UTC))
        await _announce(session, principal, UserDeactivated(user_id=user.id), f"user:{user.id}")
        await audit(session, "user.deactivate", "success", actor=principal.subject,
                    target=f"user:{user.id}")  # fmt: skip

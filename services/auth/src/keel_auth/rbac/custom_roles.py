"""Custom workspace roles. Takes a session; never commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.rbac import repository
from keel_auth.rbac.models import CustomRole
from keel_auth.rbac.roles import (
    WORKSPACE_ROLES,
    Action,
    Resource,
    invalid_custom_permissions,
    permission,
)
from keel_auth.rbac.service import Principal, require
from keel_auth.sessions.service import audit
from keel_common.errors import Conflict, FieldIssue, InvalidInput


async def create(
    session: AsyncSession, principal: Principal, name: str, permissions: list[str]
) -> CustomRole:
    await require(session, principal, permission(Resource.MEMBER, Action.CREATE), None)
    invalid = invalid_custom_permissions(permissions)
    if invalid:
        raise InvalidInput(
            "a custom role can grant only workspace permissions",
            errors=[FieldIssue(field="permissions", reason=f"not grantable: {p}") for p in invalid],
        )
    existing = await repository.custom_roles(session, principal.organization_id, [name])
    if name in WORKSPACE_ROLES or existing:
        raise Conflict(f"a role named {name!r} already exists", field="name")
    role = await repository.add_custom_role(
        session,
        CustomRole(
            organization_id=principal.organization_id,
            name=name,
            permissions=sorted(set(permissions)),
        ),
    )
    await audit(session, "role.create", "success", actor=principal.subject, target=f"role:{name}")
    return role


async def listed(session: AsyncSession, principal: Principal) -> Sequence[CustomRole]:
    await require(session, principal, permission(Resource.MEMBER, Action.READ), None)
    return await repository.custom_roles(session, principal.organization_id)


async def ensure_exists(session: AsyncSession, principal: Principal, name: str) -> None:
    if name in WORKSPACE_ROLES:
        return
    if not await repository.custom_roles(session, principal.organization_id, [name]):
        raise InvalidInput(f"there is no role named {name!r}", field="role")

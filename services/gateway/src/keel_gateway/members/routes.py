"""`/api/v1/workspaces/{id}/members/{user_id}` and `/api/v1/users/{user_id}/deactivate`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from keel_common.contracts.auth import (
    DeactivateUser,
    RoleBindingChanged,
    RoleName,
    SetWorkspaceRole,
    UserDeactivated,
)
from keel_gateway.auth.permissions import require_org, require_workspace
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc
from keel_gateway.idempotency import IdempotencyKey

router = APIRouter(tags=["members"])


class MemberRole(BaseModel):
    role: RoleName


MemberAdmin = Annotated[Principal, Depends(require_workspace("member:update"))]


async def _set_role(
    client: Rpc,
    principal: Principal,
    workspace_id: uuid.UUID,
    subject: str,
    role: str | None,
) -> Response:
    request = SetWorkspaceRole(workspace=workspace_id, subject=subject, role=role)
    await client.call("auth", request, RoleBindingChanged, actor=principal.subject)
    return Response(status_code=204)


# Literal path segments, not a `{kind}` parameter: a catch-all segment would swallow every
# other `/workspaces/{id}/<collection>/{id}` route registered after it.
@router.put("/api/v1/workspaces/{workspace_id}/members/{user_id}", status_code=204)
async def set_member_role(
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberRole,
    principal: MemberAdmin,
    client: Rpc,
) -> Response:
    """Give a user a role in the workspace."""
    return await _set_role(client, principal, workspace_id, f"user:{user_id}", body.role)


@router.put("/api/v1/workspaces/{workspace_id}/teams/{team_id}", status_code=204)
async def set_team_role(
    workspace_id: uuid.UUID,
    team_id: uuid.UUID,
    body: MemberRole,
    principal: MemberAdmin,
    client: Rpc,
) -> Response:
    """Give a team (every member of it) a role in the workspace."""
    return await _set_role(client, principal, workspace_id, f"team:{team_id}", body.role)


@router.delete("/api/v1/workspaces/{workspace_id}/members/{user_id}", status_code=204)
async def remove_member(
    workspace_id: uuid.UUID, user_id: uuid.UUID, principal: MemberAdmin, client: Rpc
) -> Response:
    return await _set_role(client, principal, workspace_id, f"user:{user_id}", None)


@router.delete("/api/v1/workspaces/{workspace_id}/teams/{team_id}", status_code=204)
async def remove_team(
    workspace_id: uuid.UUID, team_id: uuid.UUID, principal: MemberAdmin, client: Rpc
) -> Response:
    return await _set_role(client, principal, workspace_id, f"team:{team_id}", None)


@router.post("/api/v1/users/{user_id}/deactivate", status_code=204)
async def deactivate_user(
    user_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_org("member:delete"))],
    client: Rpc,
    key: IdempotencyKey,
) -> Response:
    """Sign the user out everywhere: tokens are refused within seconds, not at expiry."""
    request = DeactivateUser(user_id=user_id)
    await client.call(
        "auth", request, UserDeactivated, actor=principal.subject, idempotency_key=key
    )
    return Response(status_code=204)

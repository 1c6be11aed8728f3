"""`/api/v1/workspaces/{id}/members/{user_id}` and `/api/v1/users/{user_id}/deactivate`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from keel_common.contracts.auth import (
    DeactivateUser,
    RoleBindingChanged,
    SetWorkspaceRole,
    UserDeactivated,
    WorkspaceRole,
)
from keel_gateway.auth.permissions import require_org, require_workspace
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc

router = APIRouter(tags=["members"])


class MemberRole(BaseModel):
    role: WorkspaceRole


@router.put("/api/v1/workspaces/{workspace_id}/members/{user_id}", status_code=204)
async def set_member_role(
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberRole,
    principal: Annotated[Principal, Depends(require_workspace("member:update"))],
    client: Rpc,
) -> Response:
    request = SetWorkspaceRole(workspace=workspace_id, user_id=user_id, role=body.role)
    await client.call("auth", request, RoleBindingChanged, actor=principal.subject)
    return Response(status_code=204)


@router.delete("/api/v1/workspaces/{workspace_id}/members/{user_id}", status_code=204)
async def remove_member(
    workspace_id: uuid.UUID,
    user_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_workspace("member:update"))],
    client: Rpc,
) -> Response:
    request = SetWorkspaceRole(workspace=workspace_id, user_id=user_id, role=None)
    await client.call("auth", request, RoleBindingChanged, actor=principal.subject)
    return Response(status_code=204)


@router.post("/api/v1/users/{user_id}/deactivate", status_code=204)
async def deactivate_user(
    user_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_org("member:delete"))],
    client: Rpc,
) -> Response:
    """Sign the user out everywhere: tokens are refused within seconds, not at expiry."""
    await client.call(
        "auth", DeactivateUser(user_id=user_id), UserDeactivated, actor=principal.subject
    )
    return Response(status_code=204)

"""`/api/v1/roles`: the built-in workspace roles and the organization's custom ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from keel_common.contracts.auth import CreateRole, ListRoles, RoleList, RoleView
from keel_gateway.auth.permissions import require_org
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc
from keel_gateway.idempotency import IdempotencyKey

router = APIRouter(prefix="/api/v1/roles", tags=["members"])


@router.post("", status_code=201, response_model=RoleView)
async def create_role(
    body: CreateRole,
    principal: Annotated[Principal, Depends(require_org("member:create"))],
    client: Rpc,
    key: IdempotencyKey,
) -> RoleView:
    """Define a workspace role from `<resource>:<action>` permissions."""
    return await client.call("auth", body, RoleView, actor=principal.subject, idempotency_key=key)


@router.get("", response_model=RoleList)
async def list_roles(
    principal: Annotated[Principal, Depends(require_org("member:read"))], client: Rpc
) -> RoleList:
    return await client.call("auth", ListRoles(), RoleList, actor=principal.subject)

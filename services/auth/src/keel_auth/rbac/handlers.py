"""RPC: effective permissions, which the gateway caches per (principal, workspace)."""

from __future__ import annotations

from keel_auth.rbac.service import permissions, principal_of
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import GetPermissions, PermissionSet


def register(router: RpcRouter) -> None:
    @router.method(GetPermissions)
    async def get_permissions(request: GetPermissions, ctx: RpcContext) -> PermissionSet:
        principal = await principal_of(ctx.db(), ctx.actor)
        granted = await permissions(ctx.db(), principal, request.workspace)
        return PermissionSet(permissions=sorted(granted))

"""RPC: effective permissions (which the gateway caches per principal and scope), and the
organization's roles."""

from __future__ import annotations

from keel_auth.rbac import custom_roles
from keel_auth.rbac.roles import WORKSPACE_ROLES
from keel_auth.rbac.service import permissions, principal_of, teams_of
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import (
    CreateRole,
    GetPermissions,
    ListRoles,
    PermissionSet,
    RoleList,
    RoleView,
)


def register(router: RpcRouter) -> None:
    @router.method(GetPermissions)
    async def get_permissions(request: GetPermissions, ctx: RpcContext) -> PermissionSet:
        principal = await principal_of(ctx.db(), ctx.actor)
        granted = await permissions(ctx.db(), principal, request.workspace)
        teams = await teams_of(ctx.db(), principal)
        return PermissionSet(permissions=sorted(granted), teams=teams)

    @router.method(CreateRole)
    async def create_role(request: CreateRole, ctx: RpcContext) -> RoleView:
        principal = await principal_of(ctx.db(), ctx.actor)
        role = await custom_roles.create(ctx.db(), principal, request.name, request.permissions)
        return RoleView(name=role.name, permissions=role.permissions, builtin=False)

    @router.method(ListRoles)
    async def list_roles(_: ListRoles, ctx: RpcContext) -> RoleList:
        principal = await principal_of(ctx.db(), ctx.actor)
        own = await custom_roles.listed(ctx.db(), principal)
        builtin = [
            RoleView(name=name, permissions=sorted(granted), builtin=True)
            for name, granted in WORKSPACE_ROLES.items()
        ]
        mine = [RoleView(name=r.name, permissions=r.permissions, builtin=False) for r in own]
        return RoleList(items=builtin + mine)

"""RPC: workspaces."""

from __future__ import annotations

from keel_auth.identity import members, service
from keel_auth.identity.models import Workspace
from keel_auth.rbac.service import principal_of
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import (
    CreateWorkspace,
    DeactivateUser,
    ListWorkspaces,
    RoleBindingChanged,
    SetWorkspaceRole,
    UserDeactivated,
    WorkspaceList,
    WorkspaceView,
)


def view(workspace: Workspace) -> WorkspaceView:
    return WorkspaceView(
        id=workspace.id,
        organization_id=workspace.organization_id,
        name=workspace.name,
        slug=workspace.slug,
        created_at=workspace.created_at,
    )


def register(router: RpcRouter) -> None:
    @router.method(SetWorkspaceRole)
    async def set_role(request: SetWorkspaceRole, ctx: RpcContext) -> RoleBindingChanged:
        principal = await principal_of(ctx.db(), ctx.actor)
        await members.set_workspace_role(
            ctx.db(),
            principal,
            workspace_id=request.workspace,
            subject=request.subject,
            role=request.role,
        )
        return RoleBindingChanged(subject=request.subject, workspace=request.workspace)

    @router.method(DeactivateUser)
    async def deactivate(request: DeactivateUser, ctx: RpcContext) -> UserDeactivated:
        principal = await principal_of(ctx.db(), ctx.actor)
        await members.deactivate(ctx.db(), principal, request.user_id)
        return UserDeactivated(user_id=request.user_id)

    @router.method(CreateWorkspace)
    async def create_workspace(request: CreateWorkspace, ctx: RpcContext) -> WorkspaceView:
        principal = await principal_of(ctx.db(), ctx.actor)
        return view(await service.create_workspace(ctx.db(), principal, request.name, request.slug))

    @router.method(ListWorkspaces)
    async def list_workspaces(_: ListWorkspaces, ctx: RpcContext) -> WorkspaceList:
        principal = await principal_of(ctx.db(), ctx.actor)
        return WorkspaceList(
            items=[view(w) for w in await service.visible_workspaces(ctx.db(), principal)]
        )

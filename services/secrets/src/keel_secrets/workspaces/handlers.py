"""RPC: a workspace's secrets backend."""

from __future__ import annotations

from keel_common.audit.record import audit
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.secrets import BackendView, GetBackend, SetBackend
from keel_secrets.secrets.handlers import call_of
from keel_secrets.workspaces.service import Backends


def register(router: RpcRouter, backends: Backends) -> None:
    @router.method(GetBackend)
    async def get_backend(_: GetBackend, ctx: RpcContext) -> BackendView:
        return await backends.view(ctx.db(), call_of(ctx).workspace_id)

    @router.method(SetBackend)
    async def set_backend(request: SetBackend, ctx: RpcContext) -> BackendView:
        call = call_of(ctx)
        chosen = await backends.choose(ctx.db(), call.workspace_id, call.actor, request)
        await audit(
            ctx.db(),
            "secrets.backend.set",
            "success",
            actor=call.actor,
            workspace=call.workspace_id,
            target=f"workspace:{call.workspace_id}",
            request_id=call.request_id,
            reason=chosen.kind,
        )
        return chosen

"""RPC: run metadata and tags."""

from __future__ import annotations

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.annotations import (
    GetMetadata,
    LogMetadata,
    MetadataView,
    SetTags,
    TagsView,
)
from keel_metadata.annotations import service as annotation_service
from keel_metadata.scope import scope_of


def register(router: RpcRouter) -> None:
    @router.method(LogMetadata)
    async def log_metadata(request: LogMetadata, ctx: RpcContext) -> MetadataView:
        values = await annotation_service.log(ctx.db(), scope_of(ctx), request)
        return MetadataView(entity=request.entity, entity_id=request.entity_id, values=values)

    @router.method(GetMetadata, read_only=True)
    async def get_metadata(request: GetMetadata, ctx: RpcContext) -> MetadataView:
        values = await annotation_service.read(
            ctx.db(), scope_of(ctx).workspace_id, request.entity, request.entity_id
        )
        return MetadataView(entity=request.entity, entity_id=request.entity_id, values=values)

    @router.method(SetTags)
    async def set_tags(request: SetTags, ctx: RpcContext) -> TagsView:
        return TagsView(tags=await annotation_service.set_tags(ctx.db(), scope_of(ctx), request))

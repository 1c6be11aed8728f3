"""RPC: the model registry."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.registry import (
    CreateModelVersion,
    GetModelVersion,
    ListModels,
    ListModelVersions,
    ModelList,
    ModelVersionList,
    ModelVersionView,
    ModelView,
    SetModelAlias,
    SetModelStage,
)
from keel_metadata.registry import service as registry
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.scope import scope_of
from keel_metadata.views import model_version_view


async def _version_view(
    session: AsyncSession, model: Model, version: ModelVersion
) -> ModelVersionView:
    return model_version_view(model, version, await registry.facts(session, [version.id]))


def register(router: RpcRouter) -> None:
    @router.method(CreateModelVersion)
    async def create_model_version(
        request: CreateModelVersion, ctx: RpcContext
    ) -> ModelVersionView:
        model, version = await registry.create_version(ctx.db(), scope_of(ctx), request)
        return await _version_view(ctx.db(), model, version)

    @router.method(GetModelVersion, read_only=True)
    async def get_model_version(request: GetModelVersion, ctx: RpcContext) -> ModelVersionView:
        model, version = await registry.version(
            ctx.db(),
            scope_of(ctx).workspace_id,
            request.model,
            number=request.number,
            alias=request.alias,
        )
        return await _version_view(ctx.db(), model, version)

    @router.method(ListModelVersions, read_only=True)
    async def list_model_versions(request: ListModelVersions, ctx: RpcContext) -> ModelVersionList:
        model, versions = await registry.versions(
            ctx.db(), scope_of(ctx).workspace_id, request.model
        )
        facts = await registry.facts(ctx.db(), [v.id for v in versions])
        return ModelVersionList(items=[model_version_view(model, v, facts) for v in versions])

    @router.method(ListModels, read_only=True)
    async def list_models(_: ListModels, ctx: RpcContext) -> ModelList:
        found = await registry.models(ctx.db(), scope_of(ctx).workspace_id)
        return ModelList(
            items=[
                ModelView(
                    id=m.id,
                    name=m.name,
                    latest_version=m.latest_version or None,
                    created_at=m.created_at,
                    tags=m.tags or [],
                )
                for m in found
            ]
        )

    @router.method(SetModelStage)
    async def set_stage(request: SetModelStage, ctx: RpcContext) -> ModelVersionView:
        model, version = await registry.set_stage(
            ctx.db(),
            scope_of(ctx),
            request.model,
            request.number,
            request.stage,
            archive_others=request.archive_others,
        )
        return await _version_view(ctx.db(), model, version)

    @router.method(SetModelAlias)
    async def set_alias(request: SetModelAlias, ctx: RpcContext) -> ModelVersionList:
        scope = scope_of(ctx)
        await registry.set_alias(ctx.db(), scope, request.model, request.alias, request.number)
        model, versions = await registry.versions(ctx.db(), scope.workspace_id, request.model)
        facts = await registry.facts(ctx.db(), [v.id for v in versions])
        return ModelVersionList(items=[model_version_view(model, v, facts) for v in versions])

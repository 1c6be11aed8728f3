"""RPC: MLflow's model registry."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.mlflow.experiments import Done
from keel_common.contracts.mlflow.registry import (
    CreateModelVersion,
    CreateRegisteredModel,
    DeleteModelVersion,
    DeleteModelVersionTag,
    DeleteRegisteredModel,
    DeleteRegisteredModelAlias,
    DeleteRegisteredModelTag,
    DownloadUri,
    GetDownloadUri,
    GetLatestVersions,
    GetModelVersion,
    GetModelVersionByAlias,
    GetRegisteredModel,
    ModelVersionPage,
    ModelVersionReply,
    RegisteredModelPage,
    RegisteredModelReply,
    RenameRegisteredModel,
    SearchModelVersions,
    SearchRegisteredModels,
    SetModelVersionTag,
    SetRegisteredModelAlias,
    SetRegisteredModelTag,
    TransitionModelVersionStage,
    UpdateModelVersion,
    UpdateRegisteredModel,
)
from keel_common.contracts.mlflow.registry import RegisteredModel as RegisteredModelEntity
from keel_metadata.mlflow_registry import search
from keel_metadata.mlflow_registry import service as mlflow_registry
from keel_metadata.mlflow_registry.views import model_view, version_view
from keel_metadata.registry import service as registry
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.scope import scope_of


async def _model_views(session: AsyncSession, models: list[Model]) -> list[RegisteredModelEntity]:
    ids = [m.id for m in models]
    latest = await mlflow_registry.latest_versions(session, ids)
    aliases = await mlflow_registry.aliases(session, ids)
    return [model_view(m, latest[m.id], aliases[m.id]) for m in models]


async def _version_reply(
    session: AsyncSession, model: Model, version: ModelVersion
) -> ModelVersionReply:
    facts = await registry.facts(session, [version.id])
    return ModelVersionReply(model_version=version_view(model, version, facts.aliases[version.id]))


def register(router: RpcRouter) -> None:
    _models(router)
    _versions(router)


def _models(router: RpcRouter) -> None:
    @router.method(CreateRegisteredModel)
    async def create(request: CreateRegisteredModel, ctx: RpcContext) -> RegisteredModelReply:
        model = await mlflow_registry.create_model(ctx.db(), scope_of(ctx), request)
        return RegisteredModelReply(registered_model=model_view(model, [], []))

    @router.method(GetRegisteredModel, read_only=True)
    async def get(request: GetRegisteredModel, ctx: RpcContext) -> RegisteredModelReply:
        model = await mlflow_registry.model(ctx.db(), scope_of(ctx).workspace_id, request.name)
        [view] = await _model_views(ctx.db(), [model])
        return RegisteredModelReply(registered_model=view)

    @router.method(RenameRegisteredModel)
    async def rename(request: RenameRegisteredModel, ctx: RpcContext) -> RegisteredModelReply:
        model = await mlflow_registry.rename(
            ctx.db(), scope_of(ctx), request.name, request.new_name
        )
        [view] = await _model_views(ctx.db(), [model])
        return RegisteredModelReply(registered_model=view)

    @router.method(UpdateRegisteredModel)
    async def update(request: UpdateRegisteredModel, ctx: RpcContext) -> RegisteredModelReply:
        model = await mlflow_registry.describe(
            ctx.db(), scope_of(ctx), request.name, request.description or ""
        )
        [view] = await _model_views(ctx.db(), [model])
        return RegisteredModelReply(registered_model=view)

    @router.method(DeleteRegisteredModel)
    async def delete(request: DeleteRegisteredModel, ctx: RpcContext) -> Done:
        await mlflow_registry.delete_model(ctx.db(), scope_of(ctx), request.name)
        return Done()

    @router.method(SearchRegisteredModels, read_only=True)
    async def search_models(
        request: SearchRegisteredModels, ctx: RpcContext
    ) -> RegisteredModelPage:
        found, token = await search.registered_models(ctx.db(), scope_of(ctx).workspace_id, request)
        views = await _model_views(ctx.db(), list(found))
        return RegisteredModelPage(registered_models=views, next_page_token=token)

    @router.method(SetRegisteredModelTag)
    async def set_tag(request: SetRegisteredModelTag, ctx: RpcContext) -> Done:
        await mlflow_registry.set_model_tag(
            ctx.db(), scope_of(ctx), request.name, request.key, request.value
        )
        return Done()

    @router.method(DeleteRegisteredModelTag)
    async def delete_tag(request: DeleteRegisteredModelTag, ctx: RpcContext) -> Done:
        await mlflow_registry.set_model_tag(
            ctx.db(), scope_of(ctx), request.name, request.key, None
        )
        return Done()

    @router.method(SetRegisteredModelAlias)
    async def set_alias(request: SetRegisteredModelAlias, ctx: RpcContext) -> Done:
        scope = scope_of(ctx)
        await mlflow_registry.version(ctx.db(), scope.workspace_id, request.name, request.version)
        await registry.set_alias(ctx.db(), scope, request.name, request.alias, int(request.version))
        return Done()

    @router.method(DeleteRegisteredModelAlias)
    async def delete_alias(request: DeleteRegisteredModelAlias, ctx: RpcContext) -> Done:
        scope = scope_of(ctx)
        await mlflow_registry.model(ctx.db(), scope.workspace_id, request.name)
        await registry.set_alias(ctx.db(), scope, request.name, request.alias, None)
        return Done()

    @router.method(GetLatestVersions, read_only=True)
    async def latest(request: GetLatestVersions, ctx: RpcContext) -> ModelVersionPage:
        model = await mlflow_registry.model(ctx.db(), scope_of(ctx).workspace_id, request.name)
        stages = [mlflow_registry.keel_stage(s) for s in request.stages]
        found = await mlflow_registry.latest_versions(ctx.db(), [model.id], stages)
        return ModelVersionPage(model_versions=[version_view(model, v) for v in found[model.id]])


def _versions(router: RpcRouter) -> None:
    @router.method(CreateModelVersion)
    async def create(request: CreateModelVersion, ctx: RpcContext) -> ModelVersionReply:
        model, version = await mlflow_registry.create_version(ctx.db(), scope_of(ctx), request)
        return ModelVersionReply(model_version=version_view(model, version))

    @router.method(GetModelVersion, read_only=True)
    async def get(request: GetModelVersion, ctx: RpcContext) -> ModelVersionReply:
        workspace = scope_of(ctx).workspace_id
        model, version = await mlflow_registry.version(
            ctx.db(), workspace, request.name, request.version
        )
        return await _version_reply(ctx.db(), model, version)

    @router.method(GetModelVersionByAlias, read_only=True)
    async def by_alias(request: GetModelVersionByAlias, ctx: RpcContext) -> ModelVersionReply:
        workspace = scope_of(ctx).workspace_id
        model, version = await mlflow_registry.by_alias(
            ctx.db(), workspace, request.name, request.alias
        )
        return await _version_reply(ctx.db(), model, version)

    @router.method(UpdateModelVersion)
    async def update(request: UpdateModelVersion, ctx: RpcContext) -> ModelVersionReply:
        model, version = await mlflow_registry.describe_version(
            ctx.db(), scope_of(ctx), request.name, request.version, request.description or ""
        )
        return await _version_reply(ctx.db(), model, version)

    @router.method(DeleteModelVersion)
    async def delete(request: DeleteModelVersion, ctx: RpcContext) -> Done:
        await mlflow_registry.delete_version(ctx.db(), scope_of(ctx), request.name, request.version)
        return Done()

    @router.method(TransitionModelVersionStage)
    async def transition(
        request: TransitionModelVersionStage, ctx: RpcContext
    ) -> ModelVersionReply:
        scope = scope_of(ctx)
        await mlflow_registry.version(ctx.db(), scope.workspace_id, request.name, request.version)
        model, version = await registry.set_stage(
            ctx.db(),
            scope,
            request.name,
            int(request.version),
            mlflow_registry.keel_stage(request.stage),
            archive_others=request.archive_existing_versions,
        )
        await ctx.db().refresh(version)
        return await _version_reply(ctx.db(), model, version)

    @router.method(SearchModelVersions, read_only=True)
    async def search_versions(request: SearchModelVersions, ctx: RpcContext) -> ModelVersionPage:
        found, token = await search.model_versions(ctx.db(), scope_of(ctx).workspace_id, request)
        facts = await registry.facts(ctx.db(), [v.id for _, v in found])
        return ModelVersionPage(
            model_versions=[version_view(m, v, facts.aliases[v.id]) for m, v in found],
            next_page_token=token,
        )

    @router.method(SetModelVersionTag)
    async def set_tag(request: SetModelVersionTag, ctx: RpcContext) -> Done:
        await mlflow_registry.set_version_tag(
            ctx.db(),
            scope_of(ctx),
            request.name,
            request.version,
            key=request.key,
            value=request.value,
        )
        return Done()

    @router.method(DeleteModelVersionTag)
    async def delete_tag(request: DeleteModelVersionTag, ctx: RpcContext) -> Done:
        await mlflow_registry.set_version_tag(
            ctx.db(), scope_of(ctx), request.name, request.version, key=request.key, value=None
        )
        return Done()

    @router.method(GetDownloadUri, read_only=True)
    async def download_uri(request: GetDownloadUri, ctx: RpcContext) -> DownloadUri:
        workspace = scope_of(ctx).workspace_id
        _, version = await mlflow_registry.version(
            ctx.db(), workspace, request.name, request.version
        )
        return DownloadUri(
            artifact_uri=await mlflow_registry.download_uri(ctx.db(), workspace, version)
        )

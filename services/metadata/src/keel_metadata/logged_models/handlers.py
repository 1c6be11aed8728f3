"""RPC: MLflow 3 logged models."""

from __future__ import annotations

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.mlflow.experiments import Done
from keel_common.contracts.mlflow.logged_models import (
    CreateLoggedModel,
    DeleteLoggedModel,
    DeleteLoggedModelTag,
    FinalizeLoggedModel,
    GetLoggedModel,
    LoggedModelPage,
    LoggedModelReply,
    LogLoggedModelParams,
    SearchLoggedModels,
    SetLoggedModelTags,
)
from keel_metadata.logged_models import service as logged_models
from keel_metadata.logged_models.views import logged_model_view
from keel_metadata.scope import scope_of


def register(router: RpcRouter) -> None:
    @router.method(CreateLoggedModel)
    async def create(request: CreateLoggedModel, ctx: RpcContext) -> LoggedModelReply:
        model, number = await logged_models.create(ctx.db(), scope_of(ctx), request)
        return LoggedModelReply(model=logged_model_view(model, number))

    @router.method(GetLoggedModel, read_only=True)
    async def get(request: GetLoggedModel, ctx: RpcContext) -> LoggedModelReply:
        workspace = scope_of(ctx).workspace_id
        model, number = await logged_models.get(ctx.db(), workspace, request.model_id)
        return LoggedModelReply(model=logged_model_view(model, number))

    @router.method(FinalizeLoggedModel)
    async def finalize(request: FinalizeLoggedModel, ctx: RpcContext) -> LoggedModelReply:
        workspace = scope_of(ctx).workspace_id
        model, number = await logged_models.finalize(
            ctx.db(), workspace, request.model_id, request.status
        )
        return LoggedModelReply(model=logged_model_view(model, number))

    @router.method(DeleteLoggedModel)
    async def delete(request: DeleteLoggedModel, ctx: RpcContext) -> Done:
        await logged_models.delete(ctx.db(), scope_of(ctx).workspace_id, request.model_id)
        return Done()

    @router.method(SetLoggedModelTags)
    async def set_tags(request: SetLoggedModelTags, ctx: RpcContext) -> Done:
        workspace = scope_of(ctx).workspace_id
        await logged_models.set_tags(ctx.db(), workspace, request.model_id, request.tags)
        return Done()

    @router.method(DeleteLoggedModelTag)
    async def delete_tag(request: DeleteLoggedModelTag, ctx: RpcContext) -> Done:
        workspace = scope_of(ctx).workspace_id
        await logged_models.delete_tag(ctx.db(), workspace, request.model_id, request.tag_key)
        return Done()

    @router.method(LogLoggedModelParams)
    async def log_params(request: LogLoggedModelParams, ctx: RpcContext) -> Done:
        workspace = scope_of(ctx).workspace_id
        await logged_models.log_params(ctx.db(), workspace, request.model_id, request.params)
        return Done()

    @router.method(SearchLoggedModels, read_only=True)
    async def search(request: SearchLoggedModels, ctx: RpcContext) -> LoggedModelPage:
        found, token = await logged_models.search(ctx.db(), scope_of(ctx).workspace_id, request)
        return LoggedModelPage(
            models=[logged_model_view(m, n) for m, n in found], next_page_token=token
        )

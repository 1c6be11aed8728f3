"""RPC: stacks, pipelines, runs and steps. The gateway has checked the caller's permission
in the workspace the envelope names; every query here is confined to that workspace."""

from __future__ import annotations

import uuid

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.metadata import (
    CreateStack,
    FinishStep,
    GetRun,
    GetStack,
    ListPipelines,
    ListRuns,
    ListStacks,
    PipelineList,
    PipelineView,
    RunDetail,
    RunList,
    RunView,
    SetRunStatus,
    StackList,
    StackView,
    StartRun,
    StartStep,
    StepView,
)
from keel_metadata.pipelines import service as pipelines
from keel_metadata.runs import service as runs
from keel_metadata.scope import Scope, scope_of
from keel_metadata.stacks import service as stacks
from keel_metadata.views import run_view, stack_view, step_view


async def _run_view(ctx: RpcContext, scope: Scope, run_id: uuid.UUID) -> RunView:
    row, _ = await runs.detail(ctx.db(), scope, run_id)
    return run_view(row)


def register(router: RpcRouter) -> None:
    @router.method(CreateStack)
    async def create_stack(request: CreateStack, ctx: RpcContext) -> StackView:
        return stack_view(await stacks.create(ctx.db(), scope_of(ctx), request))

    @router.method(ListStacks, read_only=True)
    async def list_stacks(_: ListStacks, ctx: RpcContext) -> StackList:
        found = await stacks.listed(ctx.db(), scope_of(ctx).workspace_id)
        return StackList(items=[stack_view(s) for s in found])

    @router.method(GetStack, read_only=True)
    async def get_stack(request: GetStack, ctx: RpcContext) -> StackView:
        return stack_view(await stacks.get(ctx.db(), scope_of(ctx).workspace_id, request.stack_id))

    @router.method(ListPipelines, read_only=True)
    async def list_pipelines(_: ListPipelines, ctx: RpcContext) -> PipelineList:
        found = await pipelines.listed(ctx.db(), scope_of(ctx).workspace_id)
        return PipelineList(
            items=[
                PipelineView(
                    id=p.id,
                    name=p.name,
                    latest_version=p.latest_version,
                    created_at=p.created_at,
                    tags=p.tags or [],
                )
                for p in found
            ]
        )

    @router.method(StartRun)
    async def start_run(request: StartRun, ctx: RpcContext) -> RunView:
        scope = scope_of(ctx)
        run = await runs.start_run(ctx.db(), scope, request)
        return await _run_view(ctx, scope, run.id)

    @router.method(SetRunStatus)
    async def set_run_status(request: SetRunStatus, ctx: RpcContext) -> RunView:
        scope = scope_of(ctx)
        run = await runs.set_run_status(ctx.db(), scope, request)
        return await _run_view(ctx, scope, run.id)

    @router.method(ListRuns, read_only=True)
    async def list_runs(request: ListRuns, ctx: RpcContext) -> RunList:
        rows, cursor = await runs.listed(ctx.db(), scope_of(ctx), request)
        return RunList(items=[run_view(r) for r in rows], next_cursor=cursor)

    @router.method(GetRun, read_only=True)
    async def get_run(request: GetRun, ctx: RpcContext) -> RunDetail:
        row, steps = await runs.detail(ctx.db(), scope_of(ctx), request.run_id)
        return RunDetail(run=run_view(row), steps=[step_view(s) for s in steps])

    @router.method(StartStep)
    async def start_step(request: StartStep, ctx: RpcContext) -> StepView:
        return step_view(await runs.start_step(ctx.db(), scope_of(ctx), request))

    @router.method(FinishStep)
    async def finish_step(request: FinishStep, ctx: RpcContext) -> StepView:
        return step_view(await runs.finish_step(ctx.db(), scope_of(ctx), request))

"""RPC: MLflow's experiments and runs."""

from __future__ import annotations

from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.mlflow.experiments import (
    CreateExperiment,
    DeleteExperiment,
    DeleteExperimentTag,
    Done,
    ExperimentCreated,
    ExperimentPage,
    ExperimentReply,
    GetExperiment,
    GetExperimentByName,
    RestoreExperiment,
    SearchExperiments,
    SetExperimentTag,
    UpdateExperiment,
)
from keel_common.contracts.mlflow.runs import (
    CreateRun,
    DeleteRun,
    DeleteTag,
    GetMetricHistory,
    GetRun,
    LogBatch,
    LogInputs,
    LogOutputs,
    MetricHistory,
    RestoreRun,
    RunInfoReply,
    RunPage,
    RunReply,
    SearchRuns,
    UpdateRun,
)
from keel_metadata.logged_models import service as logged_models
from keel_metadata.scope import scope_of
from keel_metadata.tracking import experiments, run_pages, runs
from keel_metadata.tracking.models import ACTIVE, DELETED
from keel_metadata.tracking.tokens import offset_of, token_for
from keel_metadata.tracking.views import experiment_view, run_info, run_view

# Points per history page: a reply crosses Kafka as one record (the client pages on).
HISTORY_PAGE = 5_000


def register(router: RpcRouter) -> None:
    _experiments(router)
    _runs(router)


def _experiments(router: RpcRouter) -> None:
    @router.method(CreateExperiment)
    async def create_experiment(request: CreateExperiment, ctx: RpcContext) -> ExperimentCreated:
        experiment = await experiments.create(ctx.db(), scope_of(ctx), request)
        return ExperimentCreated(experiment_id=str(experiment.number))

    @router.method(GetExperiment)
    async def get_experiment(request: GetExperiment, ctx: RpcContext) -> ExperimentReply:
        workspace = scope_of(ctx).workspace_id
        found = await experiments.by_number(ctx.db(), workspace, request.experiment_id)
        return ExperimentReply(experiment=experiment_view(found))

    @router.method(GetExperimentByName)
    async def get_by_name(request: GetExperimentByName, ctx: RpcContext) -> ExperimentReply:
        workspace = scope_of(ctx).workspace_id
        found = await experiments.by_name(ctx.db(), workspace, request.experiment_name)
        return ExperimentReply(experiment=experiment_view(found))

    @router.method(SearchExperiments)
    async def search_experiments(request: SearchExperiments, ctx: RpcContext) -> ExperimentPage:
        found, token = await experiments.search(ctx.db(), scope_of(ctx).workspace_id, request)
        return ExperimentPage(
            experiments=[experiment_view(e) for e in found], next_page_token=token
        )

    @router.method(UpdateExperiment)
    async def update_experiment(request: UpdateExperiment, ctx: RpcContext) -> Done:
        await experiments.rename(ctx.db(), scope_of(ctx), request.experiment_id, request.new_name)
        return Done()

    @router.method(DeleteExperiment)
    async def delete_experiment(request: DeleteExperiment, ctx: RpcContext) -> Done:
        experiment = await experiments.set_stage(
            ctx.db(), scope_of(ctx), request.experiment_id, DELETED
        )
        await runs.follow_experiment(ctx.db(), experiment, DELETED)
        return Done()

    @router.method(RestoreExperiment)
    async def restore_experiment(request: RestoreExperiment, ctx: RpcContext) -> Done:
        experiment = await experiments.set_stage(
            ctx.db(), scope_of(ctx), request.experiment_id, ACTIVE
        )
        await runs.follow_experiment(ctx.db(), experiment, ACTIVE)
        return Done()

    @router.method(SetExperimentTag)
    async def set_experiment_tag(request: SetExperimentTag, ctx: RpcContext) -> Done:
        await experiments.set_tag(
            ctx.db(), scope_of(ctx), request.experiment_id, request.key, request.value
        )
        return Done()

    @router.method(DeleteExperimentTag)
    async def delete_experiment_tag(request: DeleteExperimentTag, ctx: RpcContext) -> Done:
        await experiments.delete_tag(ctx.db(), scope_of(ctx), request.experiment_id, request.key)
        return Done()


def _runs(router: RpcRouter) -> None:
    @router.method(CreateRun)
    async def create_run(request: CreateRun, ctx: RpcContext) -> RunReply:
        run, number = await runs.create(ctx.db(), scope_of(ctx), request)
        return RunReply(run=run_view(run, number))

    @router.method(GetRun, read_only=True)
    async def get_run(request: GetRun, ctx: RpcContext) -> RunReply:
        run, number = await runs.get(ctx.db(), scope_of(ctx).workspace_id, request.run_id)
        return RunReply(run=run_view(run, number))

    @router.method(UpdateRun)
    async def update_run(request: UpdateRun, ctx: RpcContext) -> RunInfoReply:
        run, number = await runs.update_run(ctx.db(), scope_of(ctx), request)
        return RunInfoReply(run_info=run_info(run, number))

    @router.method(DeleteRun)
    async def delete_run(request: DeleteRun, ctx: RpcContext) -> Done:
        await runs.set_stage(ctx.db(), scope_of(ctx), request.run_id, DELETED)
        return Done()

    @router.method(RestoreRun)
    async def restore_run(request: RestoreRun, ctx: RpcContext) -> Done:
        await runs.set_stage(ctx.db(), scope_of(ctx), request.run_id, ACTIVE)
        return Done()

    @router.method(LogBatch)
    async def log_batch(request: LogBatch, ctx: RpcContext) -> Done:
        scope = scope_of(ctx)
        await runs.log_batch(ctx.db(), scope, request)
        await logged_models.link_metrics(
            ctx.db(), scope.workspace_id, request.run_id, request.metrics
        )
        return Done()

    @router.method(DeleteTag)
    async def delete_tag(request: DeleteTag, ctx: RpcContext) -> Done:
        await runs.delete_tag(ctx.db(), scope_of(ctx), request.run_id, request.key)
        return Done()

    @router.method(LogInputs)
    async def log_inputs(request: LogInputs, ctx: RpcContext) -> Done:
        await runs.log_inputs(
            ctx.db(), scope_of(ctx), request.run_id, request.datasets, request.models
        )
        return Done()

    @router.method(LogOutputs)
    async def log_outputs(request: LogOutputs, ctx: RpcContext) -> Done:
        await runs.log_outputs(ctx.db(), scope_of(ctx), request.run_id, request.models)
        return Done()

    @router.method(SearchRuns, read_only=True)
    async def search_runs(request: SearchRuns, ctx: RpcContext) -> RunPage:
        found, token = await run_pages.search(ctx.db(), scope_of(ctx).workspace_id, request)
        return RunPage(runs=found, next_page_token=token)

    @router.method(GetMetricHistory, read_only=True)
    async def get_metric_history(request: GetMetricHistory, ctx: RpcContext) -> MetricHistory:
        offset = offset_of(request.page_token)
        limit = min(request.max_results or HISTORY_PAGE, HISTORY_PAGE)
        points = await runs.metric_history(
            ctx.db(),
            scope_of(ctx).workspace_id,
            request.run_id,
            request.metric_key,
            offset=offset,
            limit=limit + 1,
        )
        page = points[:limit]
        return MetricHistory(
            key=request.metric_key,
            values=[p.value for p in page],
            timestamps=[p.timestamp for p in page],
            steps=[p.step for p in page],
            next_page_token=token_for(offset + limit) if len(points) > limit else None,
        )

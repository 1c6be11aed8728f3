"""Who changed the model registry, experiments and runs, through the native API or the
MLflow one: an audit entry for each change below, written in the change's own unit of work
(the RpcRouter calls `audit_change` after each request it carried out).

Logging metrics, params and tags and ingesting pipeline runs are not audited: they are the
runs' own record, and an audit entry per metric batch would bury the changes that matter.
Refusals happen at the gateway (permissions) or roll back (bad input); neither is a change.
"""

from __future__ import annotations

from keel_common.audit.record import audit
from keel_common.bus.rpc_server import RpcContext
from keel_common.contracts import metadata, registry
from keel_common.contracts.base import Contract
from keel_common.contracts.mlflow import experiments, logged_models, runs
from keel_common.contracts.mlflow import registry as mlflow_registry

AUDITED: frozenset[type[Contract]] = frozenset(
    {
        # The native registry and stacks.
        registry.CreateModelVersion,
        registry.SetModelStage,
        registry.SetModelAlias,
        metadata.CreateStack,
        # MLflow's registry: registered models are Keel's models.
        mlflow_registry.CreateRegisteredModel,
        mlflow_registry.RenameRegisteredModel,
        mlflow_registry.UpdateRegisteredModel,
        mlflow_registry.DeleteRegisteredModel,
        mlflow_registry.SetRegisteredModelAlias,
        mlflow_registry.DeleteRegisteredModelAlias,
        mlflow_registry.CreateModelVersion,
        mlflow_registry.UpdateModelVersion,
        mlflow_registry.DeleteModelVersion,
        mlflow_registry.TransitionModelVersionStage,
        # MLflow experiments, runs and logged models: their lifecycle, not their logs.
        experiments.CreateExperiment,
        experiments.UpdateExperiment,
        experiments.DeleteExperiment,
        experiments.RestoreExperiment,
        runs.DeleteRun,
        runs.RestoreRun,
        logged_models.DeleteLoggedModel,
    }
)

# The request fields that say what was changed, in the order the target names them.
_TARGET_FIELDS = (
    "model",
    "name",
    "new_name",
    "number",
    "version",
    "alias",
    "stage",
    "experiment_id",
    "run_id",
    "model_id",
)


async def audit_change(request: Contract, ctx: RpcContext) -> None:
    if type(request) not in AUDITED:
        return
    await audit(
        ctx.db(),
        request.TYPE.removeprefix("keel."),
        "success",
        actor=ctx.actor,
        target=target_of(request),
        request_id=ctx.request_id,
        workspace=ctx.workspace,
    )


def target_of(request: Contract) -> str:
    """`model=churn number=2 stage=production`: what the change was about."""
    fields = request.model_dump()
    named = [f"{f}={fields[f]}" for f in _TARGET_FIELDS if fields.get(f) not in (None, "")]
    return " ".join(named)[:400]

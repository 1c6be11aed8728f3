"""MLflow's REST calls, each with the contract it becomes, the reply it gets and the Keel
permission it needs. Experiments, runs and logged models need `experiment:*`; the registry
needs the permissions of Keel's own models, whose rows it shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from keel_common.contracts.mlflow import experiments as ex
from keel_common.contracts.mlflow import logged_models as lm
from keel_common.contracts.mlflow import registry as rg
from keel_common.contracts.mlflow import runs as rn
from keel_common.contracts.mlflow.base import MlflowReply, MlflowRequest

READ = "experiment:read"
CREATE = "experiment:create"
WRITE = "experiment:update"
DELETE = "experiment:delete"
MODEL_READ = "model:read"
MODEL_CREATE = "model_version:create"
MODEL_WRITE = "model_version:update"
MODEL_PROMOTE = "model_version:promote"
MODEL_DELETE = "model_version:delete"


def _batch_of(field: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """log-metric, log-parameter and set-tag are one-entry batches."""

    def adapt(fields: dict[str, Any]) -> dict[str, Any]:
        entry = {k: v for k, v in fields.items() if k not in ("run_id", "run_uuid")}
        return {"run_id": fields.get("run_id") or fields.get("run_uuid"), field: [entry]}

    return adapt


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    request: type[MlflowRequest]
    reply: type[MlflowReply]
    permission: str
    # Reshapes the client's fields into the request contract's (one-entry batches).
    adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None


_RUNS = [
    Endpoint("POST", "/runs/create", rn.CreateRun, rn.RunReply, WRITE),
    Endpoint("GET", "/runs/get", rn.GetRun, rn.RunReply, READ),
    Endpoint("POST", "/runs/update", rn.UpdateRun, rn.RunInfoReply, WRITE),
    Endpoint("POST", "/runs/delete", rn.DeleteRun, ex.Done, DELETE),
    Endpoint("POST", "/runs/restore", rn.RestoreRun, ex.Done, DELETE),
    Endpoint("POST", "/runs/log-batch", rn.LogBatch, ex.Done, WRITE),
    Endpoint("POST", "/runs/log-metric", rn.LogBatch, ex.Done, WRITE, _batch_of("metrics")),
    Endpoint("POST", "/runs/log-parameter", rn.LogBatch, ex.Done, WRITE, _batch_of("params")),
    Endpoint("POST", "/runs/set-tag", rn.LogBatch, ex.Done, WRITE, _batch_of("tags")),
    Endpoint("POST", "/runs/delete-tag", rn.DeleteTag, ex.Done, WRITE),
    Endpoint("POST", "/runs/log-inputs", rn.LogInputs, ex.Done, WRITE),
    Endpoint("POST", "/runs/outputs", rn.LogOutputs, ex.Done, WRITE),
    Endpoint("POST", "/runs/search", rn.SearchRuns, rn.RunPage, READ),
    Endpoint("GET", "/metrics/get-history", rn.GetMetricHistory, rn.MetricHistory, READ),
]
_EXPERIMENTS = [
    Endpoint("POST", "/experiments/create", ex.CreateExperiment, ex.ExperimentCreated, CREATE),
    Endpoint("GET", "/experiments/get", ex.GetExperiment, ex.ExperimentReply, READ),
    Endpoint("GET", "/experiments/get-by-name", ex.GetExperimentByName, ex.ExperimentReply, READ),
    Endpoint("POST", "/experiments/search", ex.SearchExperiments, ex.ExperimentPage, READ),
    Endpoint("GET", "/experiments/search", ex.SearchExperiments, ex.ExperimentPage, READ),
    Endpoint("POST", "/experiments/update", ex.UpdateExperiment, ex.Done, WRITE),
    Endpoint("POST", "/experiments/delete", ex.DeleteExperiment, ex.Done, DELETE),
    Endpoint("POST", "/experiments/restore", ex.RestoreExperiment, ex.Done, DELETE),
    Endpoint("POST", "/experiments/set-experiment-tag", ex.SetExperimentTag, ex.Done, WRITE),
    Endpoint("POST", "/experiments/delete-experiment-tag", ex.DeleteExperimentTag, ex.Done, WRITE),
]
_LOGGED_MODELS = [
    Endpoint("POST", "/logged-models", lm.CreateLoggedModel, lm.LoggedModelReply, WRITE),
    Endpoint("POST", "/logged-models/search", lm.SearchLoggedModels, lm.LoggedModelPage, READ),
    Endpoint("GET", "/logged-models/{model_id}", lm.GetLoggedModel, lm.LoggedModelReply, READ),
    Endpoint(
        "PATCH", "/logged-models/{model_id}", lm.FinalizeLoggedModel, lm.LoggedModelReply, WRITE
    ),
    Endpoint("DELETE", "/logged-models/{model_id}", lm.DeleteLoggedModel, ex.Done, DELETE),
    Endpoint("PATCH", "/logged-models/{model_id}/tags", lm.SetLoggedModelTags, ex.Done, WRITE),
    Endpoint(
        "DELETE",
        "/logged-models/{model_id}/tags/{tag_key}",
        lm.DeleteLoggedModelTag,
        ex.Done,
        WRITE,
    ),
    Endpoint("POST", "/logged-models/{model_id}/params", lm.LogLoggedModelParams, ex.Done, WRITE),
]
_REGISTERED_MODELS = [
    Endpoint(
        "POST",
        "/registered-models/create",
        rg.CreateRegisteredModel,
        rg.RegisteredModelReply,
        MODEL_CREATE,
    ),
    Endpoint(
        "GET", "/registered-models/get", rg.GetRegisteredModel, rg.RegisteredModelReply, MODEL_READ
    ),
    Endpoint(
        "POST",
        "/registered-models/rename",
        rg.RenameRegisteredModel,
        rg.RegisteredModelReply,
        MODEL_WRITE,
    ),
    Endpoint(
        "PATCH",
        "/registered-models/update",
        rg.UpdateRegisteredModel,
        rg.RegisteredModelReply,
        MODEL_WRITE,
    ),
    Endpoint(
        "DELETE", "/registered-models/delete", rg.DeleteRegisteredModel, ex.Done, MODEL_DELETE
    ),
    Endpoint(
        "GET",
        "/registered-models/search",
        rg.SearchRegisteredModels,
        rg.RegisteredModelPage,
        MODEL_READ,
    ),
    Endpoint("POST", "/registered-models/set-tag", rg.SetRegisteredModelTag, ex.Done, MODEL_WRITE),
    Endpoint(
        "DELETE",
        "/registered-models/delete-tag",
        rg.DeleteRegisteredModelTag,
        ex.Done,
        MODEL_WRITE,
    ),
    Endpoint(
        "POST", "/registered-models/alias", rg.SetRegisteredModelAlias, ex.Done, MODEL_PROMOTE
    ),
    Endpoint(
        "DELETE",
        "/registered-models/alias",
        rg.DeleteRegisteredModelAlias,
        ex.Done,
        MODEL_PROMOTE,
    ),
    Endpoint(
        "GET",
        "/registered-models/alias",
        rg.GetModelVersionByAlias,
        rg.ModelVersionReply,
        MODEL_READ,
    ),
    Endpoint(
        "POST",
        "/registered-models/get-latest-versions",
        rg.GetLatestVersions,
        rg.ModelVersionPage,
        MODEL_READ,
    ),
    Endpoint(
        "GET",
        "/registered-models/get-latest-versions",
        rg.GetLatestVersions,
        rg.ModelVersionPage,
        MODEL_READ,
    ),
]
_MODEL_VERSIONS = [
    Endpoint(
        "POST",
        "/model-versions/create",
        rg.CreateModelVersion,
        rg.ModelVersionReply,
        MODEL_CREATE,
    ),
    Endpoint("GET", "/model-versions/get", rg.GetModelVersion, rg.ModelVersionReply, MODEL_READ),
    Endpoint(
        "PATCH",
        "/model-versions/update",
        rg.UpdateModelVersion,
        rg.ModelVersionReply,
        MODEL_WRITE,
    ),
    Endpoint("DELETE", "/model-versions/delete", rg.DeleteModelVersion, ex.Done, MODEL_DELETE),
    Endpoint(
        "POST",
        "/model-versions/transition-stage",
        rg.TransitionModelVersionStage,
        rg.ModelVersionReply,
        MODEL_PROMOTE,
    ),
    Endpoint(
        "GET",
        "/model-versions/search",
        rg.SearchModelVersions,
        rg.ModelVersionPage,
        MODEL_READ,
    ),
    Endpoint("POST", "/model-versions/set-tag", rg.SetModelVersionTag, ex.Done, MODEL_WRITE),
    Endpoint(
        "DELETE", "/model-versions/delete-tag", rg.DeleteModelVersionTag, ex.Done, MODEL_WRITE
    ),
    Endpoint(
        "GET", "/model-versions/get-download-uri", rg.GetDownloadUri, rg.DownloadUri, MODEL_READ
    ),
]

ENDPOINTS = [*_EXPERIMENTS, *_RUNS, *_LOGGED_MODELS, *_REGISTERED_MODELS, *_MODEL_VERSIONS]

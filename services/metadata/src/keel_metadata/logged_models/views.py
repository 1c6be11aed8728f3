"""Logged model rows as MLflow's JSON entity."""

from __future__ import annotations

from keel_common.contracts.mlflow.base import LoggedMetric, Param, tag_list
from keel_common.contracts.mlflow.logged_models import (
    LoggedModel as LoggedModelEntity,
)
from keel_common.contracts.mlflow.logged_models import (
    LoggedModelData,
    LoggedModelInfo,
)
from keel_metadata.logged_models.models import LoggedModel


def logged_model_view(model: LoggedModel, experiment_number: int) -> LoggedModelEntity:
    return LoggedModelEntity(
        info=LoggedModelInfo(
            model_id=model.id,
            experiment_id=str(experiment_number),
            name=model.name,
            creation_timestamp_ms=model.created_ms,
            last_updated_timestamp_ms=model.updated_ms,
            artifact_uri=model.artifact_uri,
            status=model.status,
            model_type=model.model_type,
            source_run_id=model.source_run_id,
            tags=tag_list(model.tags),
        ),
        data=LoggedModelData(
            params=[Param(key=k, value=v) for k, v in model.params.items()],
            metrics=[LoggedMetric.model_validate(point) for point in model.metrics],
        ),
    )

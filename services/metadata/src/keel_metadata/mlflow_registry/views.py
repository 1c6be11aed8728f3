"""Keel's models and model versions as MLflow's registry entities."""

from __future__ import annotations

from datetime import datetime

from keel_common.contracts.mlflow.base import tag_list
from keel_common.contracts.mlflow.registry import Alias, MlflowStage, RegisteredModel
from keel_common.contracts.mlflow.registry import ModelVersion as ModelVersionEntity
from keel_metadata.registry.models import Model, ModelVersion

MLFLOW_STAGES: dict[str, MlflowStage] = {
    "none": "None",
    "staging": "Staging",
    "production": "Production",
    "archived": "Archived",
}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def version_view(
    model: Model, version: ModelVersion, aliases: list[str] | None = None
) -> ModelVersionEntity:
    return ModelVersionEntity(
        name=model.name,
        version=str(version.number),
        creation_timestamp=_ms(version.created_at),
        last_updated_timestamp=_ms(version.updated_at),
        user_id=version.created_by,
        current_stage=MLFLOW_STAGES[version.stage],
        description=version.description,
        source=version.source,
        run_id=version.mlflow_run_id,
        tags=tag_list(version.properties),
        aliases=aliases or [],
        model_id=version.logged_model_id,
    )


def model_view(
    model: Model, latest: list[ModelVersion], aliases: list[tuple[str, int]]
) -> RegisteredModel:
    return RegisteredModel(
        name=model.name,
        creation_timestamp=_ms(model.created_at),
        last_updated_timestamp=_ms(model.updated_at),
        description=model.description,
        latest_versions=[version_view(model, v) for v in latest],
        tags=tag_list(model.properties),
        aliases=[Alias(alias=a, version=str(n)) for a, n in aliases],
    )

"""Rows of the tracking tables as MLflow's JSON entities."""

from __future__ import annotations

from keel_common.contracts.mlflow.base import Metric, Param, Tag, tag_list
from keel_common.contracts.mlflow.experiments import Experiment as ExperimentEntity
from keel_common.contracts.mlflow.runs import Run as RunEntity
from keel_common.contracts.mlflow.runs import RunData, RunInfo
from keel_metadata.tracking.models import Experiment, Run


def experiment_view(experiment: Experiment) -> ExperimentEntity:
    return ExperimentEntity(
        experiment_id=str(experiment.number),
        name=experiment.name,
        artifact_location=experiment.artifact_location,
        lifecycle_stage=experiment.lifecycle_stage,
        last_update_time=experiment.last_update_time,
        creation_time=experiment.creation_time,
        tags=tag_list(experiment.tags),
    )


def run_info(run: Run, experiment_number: int) -> RunInfo:
    return RunInfo(
        run_id=run.id,
        run_uuid=run.id,
        run_name=run.name,
        experiment_id=str(experiment_number),
        user_id=run.user_id,
        status=run.status,
        start_time=run.start_time,
        end_time=run.end_time,
        artifact_uri=run.artifact_uri,
        lifecycle_stage=run.lifecycle_stage,
    )


def run_view(run: Run, experiment_number: int) -> RunEntity:
    return RunEntity(
        info=run_info(run, experiment_number),
        data=RunData(
            metrics=[
                Metric(
                    key=key,
                    value=float(point["value"]),
                    timestamp=point["timestamp"],
                    step=point["step"],
                )
                for key, point in run.metrics.items()
            ],
            params=[Param(key=k, value=v) for k, v in run.params.items()],
            tags=[Tag(key=k, value=v) for k, v in run.tags.items()],
        ),
        inputs=run.inputs,
        outputs=run.outputs,
    )

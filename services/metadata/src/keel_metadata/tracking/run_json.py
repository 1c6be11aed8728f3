"""A run's MLflow JSON for search pages, assembled by Postgres from stored text.

A page of a thousand runs is tens of thousands of small objects: built in Python, then
validated and serialized again at the gateway, or built by Postgres per run per search,
they cost more than everything else in a search together. So the part of a run's JSON
that only changes when something is logged (`data`, `inputs`, `outputs`) is written as
text whenever the row is flushed, and a search page concatenates it with the few `info`
fields, which Postgres builds without a subquery. The result is the JSON of
`views.run_view` (a test compares the two through the client) and goes out untouched.

Static SQL over the `mlflow_runs` and `mlflow_experiments` columns; nothing from a client
is spliced into it."""

from __future__ import annotations

import json

from sqlalchemy import ColumnElement, String, event, literal_column
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper

from keel_metadata.tracking.models import Run

RUN_JSON: ColumnElement[str] = literal_column(
    """'{"info":' || json_strip_nulls(json_build_object(
        'run_id', mlflow_runs.id,
        'run_uuid', mlflow_runs.id,
        'run_name', mlflow_runs.name,
        'experiment_id', mlflow_experiments.number::text,
        'user_id', mlflow_runs.user_id,
        'status', mlflow_runs.status,
        'start_time', mlflow_runs.start_time,
        'end_time', mlflow_runs.end_time,
        'artifact_uri', mlflow_runs.artifact_uri,
        'lifecycle_stage', mlflow_runs.lifecycle_stage))::text
    || ',' || coalesce(nullif(mlflow_runs.data_json, ''), '"data":{}') || '}'""",
    String,
)


def data_members(run: Run) -> str:
    """`"data":{...},"inputs":{...},"outputs":{...}`: the members of the run's JSON that
    logging changes (non-finite metric values are already the strings MLflow writes)."""
    data = {
        "metrics": [
            {"key": k, "value": p["value"], "timestamp": p["timestamp"], "step": p["step"]}
            for k, p in (run.metrics or {}).items()
        ],
        "params": [{"key": k, "value": v} for k, v in (run.params or {}).items()],
        "tags": [{"key": k, "value": v} for k, v in (run.tags or {}).items()],
    }
    members = {"data": data, "inputs": run.inputs or {}, "outputs": run.outputs or {}}
    return json.dumps(members, separators=(",", ":"), allow_nan=False)[1:-1]


@event.listens_for(Run, "before_insert")
@event.listens_for(Run, "before_update")
def _write_data_members(mapper: Mapper[Run], connection: Connection, run: Run) -> None:
    run.data_json = data_members(run)

"""A run's MLflow JSON, written by Postgres itself for search pages.

A page of a thousand runs is tens of thousands of small objects: built in Python and then
validated and serialized again at the gateway, they cost more than everything else in a
search together. Postgres builds the same JSON as `views.run_view` (a test compares the
two through the client) while it reads the rows, and the text goes out untouched.

Static SQL over the `mlflow_runs` and `mlflow_experiments` columns; nothing from a client
is spliced into it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, literal_column

RUN_JSON: ColumnElement[str] = literal_column(
    """json_strip_nulls(json_build_object(
    'info', json_build_object(
        'run_id', mlflow_runs.id,
        'run_uuid', mlflow_runs.id,
        'run_name', mlflow_runs.name,
        'experiment_id', mlflow_experiments.number::text,
        'user_id', mlflow_runs.user_id,
        'status', mlflow_runs.status,
        'start_time', mlflow_runs.start_time,
        'end_time', mlflow_runs.end_time,
        'artifact_uri', mlflow_runs.artifact_uri,
        'lifecycle_stage', mlflow_runs.lifecycle_stage),
    'data', json_build_object(
        'metrics', coalesce((select json_agg(json_build_object(
                'key', m.key,
                'value', m.value -> 'value',
                'timestamp', m.value -> 'timestamp',
                'step', m.value -> 'step'))
            from jsonb_each(mlflow_runs.metrics) as m), '[]'::json),
        'params', coalesce((select json_agg(json_build_object('key', p.key, 'value', p.value))
            from jsonb_each_text(mlflow_runs.params) as p), '[]'::json),
        'tags', coalesce((select json_agg(json_build_object('key', t.key, 'value', t.value))
            from jsonb_each_text(mlflow_runs.tags) as t), '[]'::json)),
    'inputs', mlflow_runs.inputs,
    'outputs', mlflow_runs.outputs))::text""",
    String,
)

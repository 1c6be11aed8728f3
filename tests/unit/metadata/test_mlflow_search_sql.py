"""The SQL that MLflow's run search grammar compiles to, rendered for the driver the
service runs on. A run lacking the key has NULL there, so no comparison matches it, `!=`
included."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from keel_metadata.tracking.models import Run
from keel_metadata.tracking.search import (
    order_clauses,
    parse_filter,
    parse_order_by,
    where_clauses,
)

# The dialect of the driver the service runs on (SQLAlchemy's dialects are untyped).
DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


def sql(filter_text: str | None, order_by: list[str] | None = None) -> str:
    stmt = (
        select(Run.id)
        .where(*where_clauses(parse_filter(filter_text)))
        .order_by(*order_clauses(parse_order_by(order_by)))
    )
    rendered = stmt.compile(dialect=DIALECT, compile_kwargs={"literal_binds": True})
    return " ".join(str(rendered).split())


def test_a_metric_compares_as_float8_and_nan_satisfies_only_not_equal() -> None:
    value = "CAST(((mlflow_runs.metrics['acc']) ->> 'value') AS DOUBLE PRECISION)"
    assert f"WHERE {value} > CAST(0.5 AS DOUBLE PRECISION) AND {value} != 'NaN'::float8 " in sql(
        "metrics.acc > 0.5"
    )
    assert f"WHERE {value} != CAST(1.0 AS DOUBLE PRECISION) ORDER BY" in sql("metrics.acc != 1")


def test_params_and_tags_compare_as_text_and_is_null_asks_for_the_key() -> None:
    assert sql(
        "params.lr != '0.1' AND tags.`x y` LIKE 'a%' AND tags.t IS NULL AND params.p IS NOT NULL"
    ) == (
        "SELECT mlflow_runs.id FROM mlflow_runs "
        "WHERE (mlflow_runs.params ->> 'lr') != '0.1' AND mlflow_runs.tags ->> 'x y' LIKE 'a%' "
        "AND NOT (mlflow_runs.tags ? 't') AND mlflow_runs.params ? 'p' "
        "ORDER BY mlflow_runs.start_time DESC, mlflow_runs.id ASC"
    )


def test_attributes_compare_their_columns() -> None:
    assert sql(
        "attributes.run_id IN ('a', 'b') AND start_time > 5.5 AND end_time <= 10 "
        "AND attributes.`run name` ILIKE '%x%'"
    ) == (
        "SELECT mlflow_runs.id FROM mlflow_runs "
        "WHERE mlflow_runs.id IN ('a', 'b') "
        "AND mlflow_runs.start_time > CAST(5.5 AS DOUBLE PRECISION) "
        "AND mlflow_runs.end_time <= 10 AND mlflow_runs.name ILIKE '%x%' "
        "ORDER BY mlflow_runs.start_time DESC, mlflow_runs.id ASC"
    )


def test_a_dataset_clause_asks_whether_some_input_of_the_run_matches() -> None:
    assert sql("datasets.name = 'mnist' AND datasets.context IN ('train', 'eval')") == (
        "SELECT mlflow_runs.id FROM mlflow_runs "
        "WHERE (EXISTS (SELECT 1 FROM jsonb_array_elements(mlflow_runs.inputs['dataset_inputs']) "
        "AS dataset_input WHERE ((dataset_input.value['dataset']) ->> 'name') = 'mnist')) "
        "AND (EXISTS (SELECT 1 FROM jsonb_array_elements(mlflow_runs.inputs['dataset_inputs']) "
        "AS dataset_input WHERE EXISTS (SELECT 1 "
        "FROM jsonb_array_elements(dataset_input.value['tags']) AS input_tag "
        "WHERE (input_tag.value ->> 'key') = 'mlflow.data.context' "
        "AND (input_tag.value ->> 'value') IN ('train', 'eval')))) "
        "ORDER BY mlflow_runs.start_time DESC, mlflow_runs.id ASC"
    )


def test_orderings_put_runs_without_the_key_last_then_break_ties_as_mlflow_does() -> None:
    value = "CAST((mlflow_runs.metrics['acc']) ->> 'value' AS DOUBLE PRECISION)"
    missing_then_nan = (
        "CASE WHEN (CAST(((mlflow_runs.metrics['acc']) ->> 'value') AS DOUBLE PRECISION) IS NULL) "
        "THEN 2 WHEN (CAST(((mlflow_runs.metrics['acc']) ->> 'value') AS DOUBLE PRECISION) "
        "= 'NaN'::float8) THEN 1 ELSE 0 END ASC"
    )
    assert sql(None, ["metrics.acc DESC", "params.lr", "tags.`x y` DESC", "end_time"]).endswith(
        f"ORDER BY {missing_then_nan}, {value} DESC, "
        "mlflow_runs.params ->> 'lr' ASC NULLS LAST, mlflow_runs.tags ->> 'x y' DESC NULLS LAST, "
        "mlflow_runs.end_time ASC NULLS LAST, mlflow_runs.start_time DESC, mlflow_runs.id ASC"
    )
    # An ordering on the start time replaces the default one; the run id still breaks ties.
    assert sql(None, ["created"]).endswith(
        "ORDER BY mlflow_runs.start_time ASC, mlflow_runs.id ASC"
    )

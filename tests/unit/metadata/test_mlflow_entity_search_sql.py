"""The SQL that the searches of experiments, registered models, model versions and logged
models compile to, rendered for the driver the service runs on."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from keel_common.errors import InvalidInput
from keel_metadata.logged_models import service as logged_models
from keel_metadata.logged_models.models import LoggedModel
from keel_metadata.mlflow_registry import search as registry
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.tracking import experiment_search as experiments
from keel_metadata.tracking.models import Experiment

# The dialect of the driver the service runs on (SQLAlchemy's dialects are untyped).
DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


def rendered(stmt: Select[Any]) -> str:
    compiled = stmt.compile(dialect=DIALECT, compile_kwargs={"literal_binds": True})
    return " ".join(str(compiled).split())


def experiment_sql(text: str | None, order_by: list[str] | None = None) -> str:
    return rendered(
        select(Experiment.id)
        .where(*experiments.where_clauses(text))
        .order_by(*experiments.order_clauses(order_by or []))
    )


def model_sql(text: str | None, order_by: list[str] | None = None) -> str:
    return rendered(
        select(Model.id)
        .where(*registry.registered_model_conditions(text))
        .order_by(*registry.registered_model_order(order_by or []))
    )


def version_sql(text: str | None, order_by: list[str] | None = None) -> str:
    return rendered(
        select(ModelVersion.id)
        .join(Model, ModelVersion.model_id == Model.id)
        .where(*registry.model_version_conditions(text))
        .order_by(*registry.model_version_order(order_by or []))
    )


def logged_model_sql(text: str | None, order_by: list[dict[str, Any]] | None = None) -> str:
    return rendered(
        select(LoggedModel.id)
        .where(*logged_models.where_clauses(text))
        .order_by(*logged_models.order_clauses(order_by or []))
    )


# Experiments


def test_experiments_compare_their_columns_and_tags() -> None:
    assert experiment_sql(
        "name LIKE 'exp%' AND experiment_id IN ('1', '2') AND creation_time > 5 "
        "AND tags.team != 'ml' AND tags.owner IS NULL"
    ) == (
        "SELECT mlflow_experiments.id FROM mlflow_experiments "
        "WHERE mlflow_experiments.name LIKE 'exp%' AND mlflow_experiments.number IN (1, 2) "
        "AND mlflow_experiments.creation_time > 5 "
        "AND (mlflow_experiments.tags ->> 'team') != 'ml' "
        "AND NOT (mlflow_experiments.tags ? 'owner') "
        "ORDER BY mlflow_experiments.creation_time DESC, mlflow_experiments.number ASC"
    )


def test_experiments_are_ordered_then_broken_by_the_highest_id() -> None:
    assert experiment_sql(None, ["name", "last_update_time DESC"]).endswith(
        "ORDER BY mlflow_experiments.name ASC, mlflow_experiments.last_update_time DESC, "
        "mlflow_experiments.number DESC"
    )
    assert experiment_sql(None, ["experiment_id"]).endswith(
        "ORDER BY mlflow_experiments.number ASC"
    )


# Registered models: prompts hidden unless asked for


def test_the_client_s_prompt_clause_keeps_models_without_the_tag() -> None:
    # MLflow's client sends it with every search_registered_models.
    assert model_sql("name LIKE 'ch%' AND tag.`mlflow.prompt.is_prompt` != 'true'") == (
        "SELECT models.id FROM models WHERE models.name LIKE 'ch%' "
        "AND (models.properties ->> 'mlflow.prompt.is_prompt') IS DISTINCT FROM 'true' "
        "ORDER BY models.name ASC"
    )
    # No filter hides prompts too; so does any clause on the tag that does not ask for them.
    hidden = model_sql(None)
    assert hidden == model_sql("tags.`mlflow.prompt.is_prompt` = 'false'")
    assert "IS DISTINCT FROM 'true'" in hidden


def test_asking_for_prompts_is_an_ordinary_tag_clause() -> None:
    assert model_sql("tags.`mlflow.prompt.is_prompt` = 'true' AND tags.team = 'ml'") == (
        "SELECT models.id FROM models "
        "WHERE (models.properties ->> 'mlflow.prompt.is_prompt') = 'true' "
        "AND (models.properties ->> 'team') = 'ml' ORDER BY models.name ASC"
    )


def test_registered_models_order_by_their_times_then_name() -> None:
    assert model_sql(None, ["timestamp DESC"]).endswith(
        "ORDER BY models.updated_at DESC, models.name ASC"
    )
    assert model_sql(None, ["creation_timestamp", "name DESC"]).endswith(
        "ORDER BY models.created_at ASC, models.name DESC"
    )


# Model versions


def test_model_versions_compare_their_columns_their_model_s_name_and_their_tags() -> None:
    assert version_sql(
        "name IN ('a', 'b') AND version_number >= '2' AND run_id = 'r1' "
        "AND source_path LIKE 'models:/%' AND tags.stage_note = 'x'"
    ) == (
        "SELECT model_versions.id FROM model_versions "
        "JOIN models ON model_versions.model_id = models.id "
        "WHERE models.name IN ('a', 'b') AND model_versions.number >= 2 "
        "AND model_versions.mlflow_run_id = 'r1' AND model_versions.source LIKE 'models:/%' "
        "AND (model_versions.properties ->> 'stage_note') = 'x' "
        "AND (model_versions.properties ->> 'mlflow.prompt.is_prompt') IS DISTINCT FROM 'true' "
        "AND (models.properties ->> 'mlflow.prompt.is_prompt') IS DISTINCT FROM 'true' "
        "ORDER BY model_versions.updated_at DESC, models.name ASC, model_versions.number DESC"
    )


def test_model_versions_are_ordered_then_broken_by_name_and_highest_version() -> None:
    assert version_sql(None, ["creation_timestamp"]).endswith(
        "ORDER BY model_versions.created_at ASC, models.name ASC, model_versions.number DESC"
    )
    assert version_sql(None, ["version_number", "name DESC"]).endswith(
        "ORDER BY model_versions.number ASC, models.name DESC"
    )


# Logged models


def test_the_filter_mlflow_runs_artifact_repository_sends_compiles_to_a_name_equality() -> None:
    assert logged_model_sql("name = 'model'") == (
        "SELECT mlflow_logged_models.id FROM mlflow_logged_models "
        "WHERE mlflow_logged_models.name = 'model' "
        "ORDER BY mlflow_logged_models.created_ms DESC, mlflow_logged_models.id ASC"
    )


def test_logged_models_compare_attributes_params_and_tags() -> None:
    assert logged_model_sql(
        "params.lr = '0.1' AND tags.t LIKE 'a%' AND creation_timestamp > 5 "
        "AND last_updated_time <= 1.5 AND source_run_id IN ('a', 'b')"
    ) == (
        "SELECT mlflow_logged_models.id FROM mlflow_logged_models "
        "WHERE (mlflow_logged_models.params ->> 'lr') = '0.1' "
        "AND mlflow_logged_models.tags ->> 't' LIKE 'a%' "
        "AND mlflow_logged_models.created_ms > 5 "
        "AND mlflow_logged_models.updated_ms <= CAST(1.5 AS DOUBLE PRECISION) "
        "AND mlflow_logged_models.source_run_id IN ('a', 'b') "
        "ORDER BY mlflow_logged_models.created_ms DESC, mlflow_logged_models.id ASC"
    )


def test_logged_models_order_by_the_request_s_fields_with_missing_values_last() -> None:
    order_by: list[dict[str, Any]] = [
        {"field_name": "model_type", "ascending": False},
        {"field_name": "creation_time"},
    ]
    assert logged_model_sql(None, order_by).endswith(
        "ORDER BY mlflow_logged_models.model_type DESC NULLS LAST, "
        "mlflow_logged_models.created_ms ASC, mlflow_logged_models.id ASC"
    )


def test_logged_models_filter_by_a_metric_s_values_on_the_datasets_named() -> None:
    sql = logged_model_sql("metrics.acc > 0.9")
    assert "FROM jsonb_array_elements(mlflow_logged_models.metrics) AS logged_model_metric" in sql
    assert "(logged_model_metric.value ->> 'key') = 'acc'" in sql
    assert "AS DOUBLE PRECISION) > CAST(0.9 AS DOUBLE PRECISION)" in sql
    assert "!= 'NaN'::float8" in sql  # NaN satisfies no comparison but !=
    assert "dataset_name" not in sql
    select_on = logged_models.where_clauses("metrics.acc > 0.9", [{"dataset_name": "eval"}])
    on_eval = rendered(select(LoggedModel.id).where(*select_on))
    assert "(logged_model_metric.value ->> 'dataset_name') = 'eval'" in on_eval


@pytest.mark.parametrize(
    ("text", "order_by", "field", "says"),
    [
        (None, [{"field_name": "metrics.acc"}], "order_by", "does not order logged models by"),
        (None, [{"field_name": "params.lr"}], "order_by", "Invalid order by field"),
        (None, [{"field_name": "size"}], "order_by", "Invalid order by field"),
        (None, [{"ascending": True}], "order_by", "field_name"),
        (None, [{"field_name": "name", "ascending": "yes"}], "order_by", "true or false"),
    ],
)
def test_what_logged_models_cannot_do_is_refused_saying_why(
    text: str | None, order_by: list[dict[str, Any]], field: str, says: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        logged_model_sql(text, order_by)
    assert [issue.field for issue in caught.value.errors] == [field]
    assert says in caught.value.errors[0].reason

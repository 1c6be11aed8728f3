"""MLflow's logged-model search: our parser against `SearchLoggedModelsUtils`, and the SQL."""

from __future__ import annotations

from typing import Any

import pytest
from mlflow.utils import search_utils
from sqlalchemy import select
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg

from keel_common.errors import InvalidInput
from keel_metadata.logged_models.models import LoggedModel
from keel_metadata.logged_models.service import LOGGED_MODELS, order_clauses, where_clauses
from keel_metadata.tracking.search_grammar import parse_filter

SearchLoggedModelsUtils: Any = search_utils.SearchLoggedModelsUtils
DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


def mlflow_parse(text: str) -> list[tuple[str, str, str, Any]]:
    clauses = []
    for parsed in SearchLoggedModelsUtils.parse_search_filter(text):
        kind, key, comparator = parsed["type"], parsed["key"], parsed["comparator"].upper()
        assert (
            SearchLoggedModelsUtils.is_metric(kind, comparator)
            or SearchLoggedModelsUtils.is_param(kind, comparator)
            or SearchLoggedModelsUtils.is_tag(kind, comparator)
            or SearchLoggedModelsUtils.is_attribute(kind, key, comparator)
        )
        value = float(parsed["value"]) if kind == "metric" else parsed["value"]
        clauses.append((kind, key, comparator, value))
    return clauses


def mlflow_rejects(text: str) -> bool:
    try:
        mlflow_parse(text)
    except Exception:
        return True
    return False


def ours(text: str) -> list[tuple[str, str, str, Any]]:
    return [
        (c.entity.value, c.key, c.comparator, c.value) for c in parse_filter(text, LOGGED_MODELS)
    ]


def sql(filter_text: str | None, order_by: list[dict[str, Any]] | None = None) -> str:
    stmt = (
        select(LoggedModel.id)
        .where(*where_clauses(filter_text))
        .order_by(*order_clauses(order_by or []))
    )
    rendered = stmt.compile(dialect=DIALECT, compile_kwargs={"literal_binds": True})
    return " ".join(str(rendered).split())


ACCEPTED = [
    "name = 'model'",
    'name = "model"',
    "attributes.name LIKE 'mod%'",
    "model_id IN ('m-1', 'm-2')",
    "status != 'LOGGED_MODEL_READY'",
    "source_run_id = 'abc' AND name ILIKE 'M%'",
    "model_type NOT IN ('agent')",
    "creation_timestamp > 1700000000000",
    "creation_time <= 5",
    "last_updated_timestamp >= 1.5",
    "last_updated_time != 0",
    "params.lr = '0.1'",
    "param.`batch size` != '32'",
    "tags.team LIKE 'ml-%'",
    "tag.`mlflow.source` ILIKE '%x%'",
    "metrics.acc > 0.5",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_a_filter_mlflow_accepts_parses_to_what_mlflow_parses(text: str) -> None:
    assert ours(text) == mlflow_parse(text)


def test_the_filter_mlflow_runs_artifact_repository_sends_compiles_to_a_name_equality() -> None:
    assert sql("name = 'model'") == (
        "SELECT mlflow_logged_models.id FROM mlflow_logged_models "
        "WHERE mlflow_logged_models.name = 'model' "
        "ORDER BY mlflow_logged_models.created_ms DESC, mlflow_logged_models.id ASC"
    )


def test_metric_filters_are_refused_saying_why() -> None:
    with pytest.raises(InvalidInput) as caught:
        where_clauses("metrics.acc > 0.5")
    assert [issue.field for issue in caught.value.errors] == ["filter"]
    assert "does not store logged models' metrics" in caught.value.errors[0].reason

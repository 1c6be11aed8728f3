"""The searches of experiments, registered models, model versions and logged models: our
parser in each one's dialect against MLflow 3.17.2's own, with the checks MLflow's SQL stores
make before they query (a dev dependency; every filter here goes through both)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from mlflow.store.tracking import sqlalchemy_store as tracking_store
from mlflow.utils import search_utils

from keel_common.errors import InvalidInput
from keel_metadata.logged_models.service import LOGGED_MODELS
from keel_metadata.mlflow_registry.search import MODEL_VERSIONS, REGISTERED_MODELS
from keel_metadata.tracking.experiment_search import EXPERIMENTS
from keel_metadata.tracking.search_grammar import (
    Dialect,
    parse_filter,
)

Clause = tuple[str, str, str, Any]
# MLflow has no type hints.
Utils: Any = search_utils
Registry: Any = RegistryStore
Tracking: Any = tracking_store
NUMERIC = ("=", "!=", ">", ">=", "<", "<=")
MATCH = ("=", "!=", "LIKE", "ILIKE")
STRING = (*MATCH, "IN", "NOT IN")


def _refuse(condition: bool, what: str) -> None:
    if condition:
        raise ValueError(what)


def _upper(parsed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # MLflow's SQL stores compare comparators as written; ours are case-insensitive.
    return [{**p, "comparator": p["comparator"].upper()} for p in parsed]


def _clauses(parsed: list[dict[str, Any]]) -> list[Clause]:
    return [(p["type"], p["key"], p["comparator"], p["value"]) for p in parsed]


def experiments_reference(text: str) -> list[Clause]:
    parsed = _upper(Utils.SearchExperimentsUtils.parse_search_filter(text))
    Tracking._get_search_experiments_filter_clauses(parsed, "postgresql")
    for p in parsed:
        if p["key"] == "experiment_id" and p["type"] == "attribute":
            value = p["value"]
            p["value"] = tuple(map(int, value)) if isinstance(value, tuple) else int(value)
    return _clauses(parsed)


def registered_models_reference(text: str) -> list[Clause]:
    """`SearchModelUtils`, then the SQL store's checks."""
    parsed = Utils.SearchModelUtils.parse_search_filter(text)
    for p in parsed:
        allowed = STRING if p["type"] == "attribute" else MATCH
        _refuse(p["comparator"] not in allowed, f"comparator {p['comparator']}")
    return _clauses(parsed)


def model_versions_reference(text: str) -> list[Clause]:
    """`SearchModelVersionUtils`, then the SQL store's checks and int()."""
    parsed = Utils.SearchModelVersionUtils.parse_search_filter(text)
    for p in parsed:
        key, comparator, value = p["key"], p["comparator"], p["value"]
        if p["type"] == "tag":
            _refuse(comparator not in MATCH, f"comparator {comparator}")
        elif key == "version_number":
            _refuse(comparator not in NUMERIC or isinstance(value, float), "numeric")
            p["value"] = int(value)
        else:
            listed = comparator in ("IN", "NOT IN")
            _refuse(comparator not in STRING or (listed and key not in ("run_id", "name")), key)
    return _clauses(parsed)


def logged_models_reference(text: str) -> list[Clause]:
    """`SearchLoggedModelsUtils`, with the comparator checks its filter makes."""
    utils = Utils.SearchLoggedModelsUtils
    clauses = []
    for p in utils.parse_search_filter(text):
        kind, key, comparator = p["type"], p["key"], p["comparator"].upper()
        _refuse(kind == "dataset", "MLflow's SQL store has no datasets in logged-model filters")
        assert (
            utils.is_metric(kind, comparator)
            or utils.is_param(kind, comparator)
            or utils.is_tag(kind, comparator)
            or utils.is_attribute(kind, key, comparator)
        )
        value = float(p["value"]) if kind == "metric" else p["value"]
        clauses.append((kind, key, comparator, value))
    return clauses


@dataclass(frozen=True)
class Search:
    dialect: Dialect
    reference: Callable[[str], list[Clause]]
    accepted: list[str]
    rejected: list[str]
    keys: list[str]

    def __str__(self) -> str:
        return self.dialect.name


def rejects(reference: Callable[[str], list[Clause]], text: str) -> bool:
    try:
        reference(text)
    except Exception:  # MlflowException, ValueError, ...
        return True
    return False


def ours(text: str, dialect: Dialect) -> list[Clause]:
    return [(c.entity.value, c.key, c.comparator, c.value) for c in parse_filter(text, dialect)]


def refusal(text: str, dialect: Dialect) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse_filter(text, dialect)
    return caught.value


SEARCHES = [
    Search(
        EXPERIMENTS,
        experiments_reference,
        accepted=[
            "name = 'Default'",
            'attribute.name != "x"',
            "name LIKE 'exp-%' AND name ilike '%B%'",
            "experiment_id = '1'",
            "experiment_id IN ('1', '2')",
            "experiment_id NOT IN ('0',)",
            "creation_time > 1700000000000",
            "last_update_time <= 5",
            "creation_time != -1",
            "tags.team = 'ml'",
            "tag.`mlflow.note.content` LIKE '%x%'",
            "tags.owner IS NULL AND tags.team IS NOT NULL",
            "tags.a.b = 'it''s'",
        ],
        rejected=[
            "attributes.name = 'x'",  # experiments know `attribute`, not `attributes`
            "`tag`.a = 'x'",
            "params.a = 'x'",
            "metrics.a > 1",
            "lifecycle_stage = 'active'",
            "name IN ('a')",
            "name > 'a'",
            "name IS NULL",
            "experiment_id LIKE '1%'",
            "experiment_id > '1'",
            "experiment_id = 'one'",
            "experiment_id IN ('1', 'x')",
            "experiment_id = 1",
            "creation_time = 1.5",
            "creation_time > 1e3",
            "creation_time = '5'",
            "creation_time LIKE 5",
            "tags.a > 'x'",
            "tags.a IN ('x')",
            "tags.a = 1",
        ],
        keys=["name", "attribute.experiment_id", "creation_time", "tags.a", "tag.`a b`"],
    ),
    Search(
        REGISTERED_MODELS,
        registered_models_reference,
        accepted=[
            "name = 'churn'",
            "attribute.name LIKE 'ch%'",
            "name ILIKE '%CH%' AND tags.team = 'ml'",
            "name IN ('a', 'b')",
            "name NOT IN ('a')",
            'name != "a"',
            "tag.`mlflow.prompt.is_prompt` != 'true'",
            "name LIKE '%x%' AND tag.`mlflow.prompt.is_prompt` != 'true'",
            "tags.`mlflow.prompt.is_prompt` = 'true'",
            "tags.team like 'ml-%'",
        ],
        rejected=[
            "creation_timestamp > 1",
            "attributes.name = 'x'",
            "params.a = 'x'",
            "run_id = 'x'",
            "name > 'a'",
            "name = 1",
            "tags.a IS NULL",
            "tags.a IN ('x')",
            "tags.a > 'x'",
        ],
        keys=["name", "attribute.name", "tags.a", "tag.`a b`", "creation_timestamp"],
    ),
    Search(
        MODEL_VERSIONS,
        model_versions_reference,
        accepted=[
            "name = 'churn'",
            "name IN ('a', 'b') AND version_number > 2",
            "version_number = 3",
            "version_number = '3'",
            "version_number != -1",
            "run_id = 'abc'",
            "run_id IN ('a', 'b')",
            "source_path LIKE 'models:/%'",
            "attribute.source_path = 'x'",
            "tags.`mlflow.prompt.is_prompt` != 'true'",
            "tag.team ILIKE 'ML%'",
        ],
        rejected=[
            "version_number = 1.5",
            "version_number = 'three'",
            "version_number LIKE '1%'",
            "version_number IN ('1')",
            "source_path IN ('a')",
            "source_path = 1",
            "creation_timestamp > 1",
            "current_stage = 'None'",
            "params.a = 'x'",
            "tags.a IS NOT NULL",
            "tags.a > 'x'",
        ],
        keys=["name", "version_number", "attribute.run_id", "source_path", "tags.a"],
    ),
    Search(
        LOGGED_MODELS,
        logged_models_reference,
        accepted=[
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
        ],
        rejected=[
            "experiment_id = '1'",
            "datasets.name = 'x'",
            "params.a IS NULL",
            "tags.a IN ('a')",
            "creation_timestamp = 'x'",
            "name > 'a'",
            "name = 1",
            "metrics.a = 'x'",
        ],
        keys=["name", "attributes.status", "creation_time", "params.a", "tags.a", "metrics.m"],
    ),
]


@pytest.mark.parametrize(
    ("search", "text"), [(s, t) for s in SEARCHES for t in s.accepted], ids=str
)
def test_a_filter_mlflow_accepts_parses_to_what_mlflow_parses(search: Search, text: str) -> None:
    assert ours(text, search.dialect) == search.reference(text)


@pytest.mark.parametrize(
    ("search", "text"), [(s, t) for s in SEARCHES for t in s.rejected], ids=str
)
def test_a_filter_mlflow_rejects_is_refused_naming_the_filter(search: Search, text: str) -> None:
    assert rejects(search.reference, text)
    error = refusal(text, search.dialect)
    assert [issue.field for issue in error.errors] == ["filter"]
    assert error.detail == error.errors[0].reason


@pytest.mark.parametrize("search", SEARCHES, ids=str)
def test_every_key_comparator_and_value_is_read_as_mlflow_reads_it(search: Search) -> None:
    comparators = [
        "=", "!=", ">", "<=", "LIKE", "ilike", "IN", "not in", "IS NULL", "is not null", "==",
    ]  # fmt: skip
    values = ["'x'", '"x"', "'7'", "-1.5", "1e3", "42", "('a', 'b')", "('1', '2')", "()", "x"]
    compared = 0
    for key, comparator, value in itertools.product(search.keys, comparators, values):
        if "NULL" in comparator.upper():
            text, list_for_one = f"{key} {comparator}", False
        else:
            text = f"{key} {comparator} {value}"
            list_for_one = value.startswith("(") and "IN" not in comparator.upper()
        if rejects(search.reference, text) or list_for_one:
            refusal(text, search.dialect)
        else:
            assert ours(text, search.dialect) == search.reference(text), text
            compared += 1
    assert compared > 20


# Where MLflow's SQL store is stricter than it need be, or its two stores disagree.
LENIENT = [
    (EXPERIMENTS, "name like 'a%'"),  # MLflow's SQL store takes only upper-case LIKE here
    (REGISTERED_MODELS, "attribute.`name` = 'a'"),  # MLflow checks the key before unquoting
]


@pytest.mark.parametrize(("dialect", "text"), LENIENT, ids=str)
def test_what_mlflow_refuses_only_by_accident_is_accepted(dialect: Dialect, text: str) -> None:
    assert parse_filter(text, dialect)

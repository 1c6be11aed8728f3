"""order_by of the searches of experiments, registered models and model versions: our
parser in each one's dialect against MLflow 3.17.2's parser, then what its SQL store takes
(a dev dependency; every clause here goes through both)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
from mlflow.store.tracking import sqlalchemy_store as tracking_store
from mlflow.utils import search_utils

from keel_common.errors import InvalidInput
from keel_metadata.mlflow_registry.search import MODEL_VERSIONS, REGISTERED_MODELS
from keel_metadata.tracking.experiment_search import EXPERIMENTS
from keel_metadata.tracking.search_grammar import Dialect, Entity, Ordering, parse_order_by

# MLflow has no type hints.
Utils: Any = search_utils
Registry: Any = RegistryStore
Tracking: Any = tracking_store


def experiment_order(clause: str) -> Ordering:
    Tracking._get_search_experiments_order_by_clauses([clause])
    kind, key, ascending = Utils.SearchExperimentsUtils.parse_order_by_for_search_experiments(
        clause
    )
    return Ordering(Entity(kind), key, ascending)


def registered_model_order(clause: str) -> Ordering:
    Registry._parse_search_registered_models_order_by([clause])
    key, ascending = Utils.SearchUtils.parse_order_by_for_search_registered_models(clause)
    return Ordering(Entity.ATTRIBUTE, REGISTERED_MODELS.order_aliases.get(key, key), ascending)


def model_version_order(clause: str) -> Ordering:
    Registry._parse_search_model_versions_order_by([clause])
    utils = Utils.SearchModelVersionUtils
    kind, key, ascending = utils.parse_order_by_for_search_model_versions(clause)
    return Ordering(Entity(kind), key, ascending)


ORDERS: list[tuple[Dialect, Callable[[str], Ordering], list[str], list[str]]] = [
    (
        EXPERIMENTS,
        experiment_order,
        ["name", "name DESC", "attribute.creation_time asc", "experiment_id DESC",
         "last_update_time", "`name`"],
        ["tags.a", "lifecycle_stage", "name UP", "attributes.name", ""],
    ),
    (
        REGISTERED_MODELS,
        registered_model_order,
        ["name", "name DESC", "timestamp", "timestamp DESC", "last_updated_timestamp asc"],
        ["tags.a", "version_number", "name UP", "attributes.name", ""],
    ),
    (
        MODEL_VERSIONS,
        model_version_order,
        ["name", "version_number DESC", "creation_timestamp", "last_updated_timestamp desc",
         "attribute.name ASC"],
        ["tags.a", "run_id", "source_path", "timestamp", "name UP", ""],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("dialect", "reference", "clause"),
    [(d, r, c) for d, r, accepted, _ in ORDERS for c in accepted],
    ids=str,
)
def test_an_order_by_clause_parses_to_what_mlflow_parses(
    dialect: Dialect, reference: Callable[[str], Ordering], clause: str
) -> None:
    assert parse_order_by([clause], dialect) == [reference(clause)]


@pytest.mark.parametrize(
    ("dialect", "reference", "clause"),
    [(d, r, c) for d, r, _, rejected in ORDERS for c in rejected],
    ids=str,
)
def test_an_order_by_clause_mlflow_rejects_is_refused_naming_order_by(
    dialect: Dialect, reference: Callable[[str], Ordering], clause: str
) -> None:
    with pytest.raises(Exception):  # noqa: B017 (MLflow's exception types vary)
        reference(clause)
    with pytest.raises(InvalidInput) as caught:
        parse_order_by([clause], dialect)
    assert [issue.field for issue in caught.value.errors] == ["order_by"]


def test_registered_models_order_by_creation_as_mlflow_s_file_store_does() -> None:
    # MLflow's SQL store refuses it, its file store (and `SearchModelUtils`) takes it.
    assert parse_order_by(["creation_timestamp DESC"], REGISTERED_MODELS) == [
        Ordering(Entity.ATTRIBUTE, "creation_timestamp", ascending=False)
    ]
    with pytest.raises(InvalidInput):  # both name the last update
        parse_order_by(["timestamp", "last_updated_timestamp"], REGISTERED_MODELS)

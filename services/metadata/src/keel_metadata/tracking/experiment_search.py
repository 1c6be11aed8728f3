"""`search_experiments`' filter and order_by, compiled against the experiments table.

The grammar is `SearchExperimentsUtils`' with the checks MLflow's SQL store adds: an
experiment id compares only by (in)equality or a list, as a whole number; the times compare
with whole numbers. Tags are a JSONB map on the row; an experiment without the tag matches
no comparison but IS NULL, as in MLflow.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, inspect

from keel_metadata.tracking.models import Experiment
from keel_metadata.tracking.search import bound, compare, direction, map_condition
from keel_metadata.tracking.search_grammar import (
    ATTRIBUTE_OR_TAG,
    LIST_COMPARATORS,
    MATCH_COMPARATORS,
    TEXT_COMPARATORS,
    Dialect,
    Entity,
    parse_filter,
    parse_order_by,
)

_COLUMNS = inspect(Experiment).columns
_ATTRIBUTE_COLUMNS: dict[str, Column[Any]] = {
    "name": _COLUMNS.name,
    "experiment_id": _COLUMNS.number,
    "creation_time": _COLUMNS.creation_time,
    "last_update_time": _COLUMNS.last_update_time,
}
EXPERIMENTS = Dialect(
    name="experiments",
    prefixes=ATTRIBUTE_OR_TAG,
    attributes=frozenset(_ATTRIBUTE_COLUMNS),
    numeric_attributes=frozenset({"creation_time", "last_update_time"}),
    order_attributes=frozenset(_ATTRIBUTE_COLUMNS),
    order_entities=frozenset({Entity.ATTRIBUTE}),
    comparators={Entity.TAG: TEXT_COMPARATORS},
    list_attributes=frozenset({"experiment_id"}),
    attribute_comparators={
        "name": MATCH_COMPARATORS,
        "experiment_id": ("=", "!=", *LIST_COMPARATORS),
    },
    quoted_integers=frozenset({"experiment_id"}),
    whole_numbers=True,
    backquoted_prefixes=False,
)
# MLflow's order when none is asked for.
_DEFAULT_ORDER = ["creation_time DESC", "experiment_id ASC"]


def where_clauses(text: str | None) -> list[ColumnElement[bool]]:
    return [
        map_condition(Experiment.tags, c)
        if c.entity is Entity.TAG
        else compare(_ATTRIBUTE_COLUMNS[c.key], c.comparator, bound(c.value))
        for c in parse_filter(text, EXPERIMENTS)
    ]


def order_clauses(order_by: list[str]) -> list[ColumnElement[Any]]:
    """The orderings, then MLflow's tie-breaker: the highest experiment id first."""
    orderings = parse_order_by(order_by or _DEFAULT_ORDER, EXPERIMENTS)
    clauses = [direction(_ATTRIBUTE_COLUMNS[o.key], o.ascending) for o in orderings]
    if not any(o.key == "experiment_id" for o in orderings):
        clauses.append(Experiment.number.desc())
    return clauses

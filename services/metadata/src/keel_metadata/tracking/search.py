"""MLflow's run search compiled to SQL over `mlflow_runs`.

Params, tags and latest metrics are JSONB maps on the run's row, so every clause is a
condition on that row. A run that lacks the key a clause names never matches it, `!=`
included, as in MLflow's SQL store, which inner-joins its params, tags and metrics tables.
Orderings put runs lacking the key last in both directions, as MLflow does; a metric's NaN
sorts after its numbers and before the runs without it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    and_,
    case,
    cast,
    func,
    inspect,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, JSONB
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql import column
from sqlalchemy.sql.selectable import TableValuedAlias

from keel_metadata.tracking.models import Run
from keel_metadata.tracking.search_grammar import (
    Comparison,
    Entity,
    Ordering,
    Value,
    invalid,
    parse_filter,
    parse_order_by,
)

__all__ = [
    "Comparison",
    "Entity",
    "Ordering",
    "bound",
    "compare",
    "direction",
    "map_condition",
    "order_clauses",
    "parse_filter",
    "parse_order_by",
    "where_clauses",
]

_RUN_COLUMNS = inspect(Run).columns
_ATTRIBUTE_COLUMNS: dict[str, Column[Any]] = {
    "run_id": _RUN_COLUMNS.id,
    "run_name": _RUN_COLUMNS.name,
    "user_id": _RUN_COLUMNS.user_id,
    "status": _RUN_COLUMNS.status,
    "start_time": _RUN_COLUMNS.start_time,
    "end_time": _RUN_COLUMNS.end_time,
    "artifact_uri": _RUN_COLUMNS.artifact_uri,
}
# The input tag MLflow writes for a dataset's role ("training", "eval", ...).
DATASET_CONTEXT_TAG = "mlflow.data.context"
# Postgres orders NaN above every number and finds it equal to itself; MLflow's NaN matches
# only `!=` and sorts after the numbers whatever the direction.
NAN = literal_column("'NaN'::float8", DOUBLE_PRECISION)


def where_clauses(comparisons: Sequence[Comparison]) -> list[ColumnElement[bool]]:
    return [_condition(c) for c in comparisons]


def order_clauses(orderings: Sequence[Ordering]) -> list[ColumnElement[Any]]:
    """The orderings, then MLflow's tie-breakers: newest start first, then run id."""
    clauses = [clause for ordering in orderings for clause in _order(ordering)]
    if not any(o.entity is Entity.ATTRIBUTE and o.key == "start_time" for o in orderings):
        clauses.append(Run.start_time.desc())
    clauses.append(Run.id.asc())
    return clauses


def _condition(c: Comparison) -> ColumnElement[bool]:
    match c.entity:
        case Entity.METRIC:
            value = _metric_value(c.key)
            matches = compare(value, c.comparator, _float(c.value))
            return matches if c.comparator == "!=" else and_(matches, value != NAN)
        case Entity.PARAM | Entity.TAG:
            return map_condition(Run.params if c.entity is Entity.PARAM else Run.tags, c)
        case Entity.ATTRIBUTE:
            return compare(_ATTRIBUTE_COLUMNS[c.key], c.comparator, bound(c.value))
        case Entity.DATASET:
            return _dataset_condition(c)


_OPERATORS: dict[str, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "LIKE": lambda value, bound: value.like(bound),
    "ILIKE": lambda value, bound: value.ilike(bound),
    "IN": lambda value, bound: value.in_(bound),
    "NOT IN": lambda value, bound: value.not_in(bound),
}


def compare(value: ColumnElement[Any], comparator: str, bound: object) -> ColumnElement[bool]:
    return _OPERATORS[comparator](value, bound)


def map_condition(
    values: InstrumentedAttribute[dict[str, str]], c: Comparison
) -> ColumnElement[bool]:
    """A clause on one key of a JSONB map of strings (params, tags). An entity without the key
    matches no comparison, `!=` included: MLflow's SQL stores inner-join their tag tables."""
    if c.comparator in ("IS NULL", "IS NOT NULL"):
        present: ColumnElement[bool] = values.has_key(c.key)
        return ~present if c.comparator == "IS NULL" else present
    return compare(values[c.key].astext, c.comparator, c.value)


def bound(value: Value) -> object:
    """A clause's value as SQL compares it: a fractional bound on an integer column compares
    as float8, not as a bigint."""
    return _float(value) if isinstance(value, float) else value


def _dataset_condition(c: Comparison) -> ColumnElement[bool]:
    """Some dataset input of the run matches: its dataset's name or digest, or the value of
    its context tag."""
    dataset_input = json_elements(Run.inputs["dataset_inputs"], "dataset_input")
    if c.key == "context":
        tag = json_elements(dataset_input.c.value["tags"], "input_tag")
        matches: ColumnElement[bool] = (
            select(1)
            .select_from(tag)
            .where(
                tag.c.value["key"].astext == DATASET_CONTEXT_TAG,
                compare(tag.c.value["value"].astext, c.comparator, c.value),
            )
            .exists()
        )
    else:
        matches = compare(dataset_input.c.value["dataset"][c.key].astext, c.comparator, c.value)
    return select(1).select_from(dataset_input).where(matches).exists()


def json_elements(array: ColumnElement[Any], name: str) -> TableValuedAlias:
    """The elements of a JSONB array as rows of one JSONB column, `value`."""
    return func.jsonb_array_elements(array).table_valued(column("value", JSONB)).alias(name)


def _order(ordering: Ordering) -> list[ColumnElement[Any]]:
    match ordering.entity:
        case Entity.METRIC:
            value = _metric_value(ordering.key)
            last = case((value.is_(None), 2), (value == NAN, 1), else_=0)
            return [last.asc(), direction(value, ordering.ascending)]
        case Entity.PARAM | Entity.TAG:
            values = Run.params if ordering.entity is Entity.PARAM else Run.tags
            return [direction(values[ordering.key].astext, ordering.ascending).nulls_last()]
        case Entity.ATTRIBUTE:
            attribute = _ATTRIBUTE_COLUMNS[ordering.key]
            ordered = direction(attribute, ordering.ascending)
            # NULLS LAST only where there can be nulls: it would keep Postgres from reading
            # start_time's index backwards.
            return [ordered.nulls_last() if attribute.nullable else ordered]
        case Entity.DATASET:
            raise invalid("order_by", "Runs cannot be ordered by a dataset")


def direction(value: ColumnElement[Any], ascending: bool) -> ColumnElement[Any]:
    return value.asc() if ascending else value.desc()


def _metric_value(key: str) -> ColumnElement[float]:
    return cast(Run.metrics[key]["value"].astext, DOUBLE_PRECISION)


def _float(value: Value) -> ColumnElement[float]:
    return cast(value, DOUBLE_PRECISION)

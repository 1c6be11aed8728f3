"""`search_registered_models` and `search_model_versions`, a page at a time.

Filters and orderings follow `SearchModelUtils` and `SearchModelVersionUtils` of MLflow 3.17.2
with the checks its SQL store adds. MLflow's key/value tags are the `properties` JSONB map of a
model or version; a model without the tag matches no comparison, `!=` included.

Prompts (models tagged `mlflow.prompt.is_prompt` = 'true') are hidden unless the filter asks for
them, as MLflow's SQL store does: MLflow's client always sends
``tag.`mlflow.prompt.is_prompt` != 'true'``, which must keep the models without the tag, so a
clause on that tag that does not ask for prompts is replaced by the exclusion.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from keel_common.contracts.mlflow.registry import SearchModelVersions, SearchRegisteredModels
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.tracking.search import bound, compare, direction, map_condition
from keel_metadata.tracking.search_grammar import (
    ATTRIBUTE_OR_TAG,
    MATCH_COMPARATORS,
    Comparison,
    Dialect,
    Entity,
    Ordering,
    parse_filter,
    parse_order_by,
)
from keel_metadata.tracking.tokens import offset_of, token_for

IS_PROMPT_TAG = "mlflow.prompt.is_prompt"
_MODEL = inspect(Model).columns
_VERSION = inspect(ModelVersion).columns

_MODEL_COLUMNS: dict[str, Column[Any]] = {
    "name": _MODEL.name,
    "creation_timestamp": _MODEL.created_at,
    "last_updated_timestamp": _MODEL.updated_at,
}
REGISTERED_MODELS = Dialect(
    name="registered models",
    prefixes=ATTRIBUTE_OR_TAG,
    attributes=frozenset({"name"}),
    numeric_attributes=frozenset({"creation_timestamp", "last_updated_timestamp"}),
    order_attributes=frozenset(_MODEL_COLUMNS),
    # MLflow's SQL store orders `timestamp` by the last update.
    order_aliases={"timestamp": "last_updated_timestamp"},
    order_entities=frozenset({Entity.ATTRIBUTE}),
    comparators={Entity.TAG: MATCH_COMPARATORS},
    list_attributes=frozenset({"name"}),
    backquoted_prefixes=False,
)

_VERSION_COLUMNS: dict[str, Column[Any]] = {
    "name": _MODEL.name,
    "version_number": _VERSION.number,
    "run_id": _VERSION.mlflow_run_id,
    "source_path": _VERSION.source,
    "creation_timestamp": _VERSION.created_at,
    "last_updated_timestamp": _VERSION.updated_at,
}
MODEL_VERSIONS = Dialect(
    name="model versions",
    prefixes=ATTRIBUTE_OR_TAG,
    attributes=frozenset({"name", "version_number", "run_id", "source_path"}),
    numeric_attributes=frozenset(
        {"version_number", "creation_timestamp", "last_updated_timestamp"}
    ),
    order_attributes=frozenset(
        {"name", "version_number", "creation_timestamp", "last_updated_timestamp"}
    ),
    order_entities=frozenset({Entity.ATTRIBUTE}),
    comparators={Entity.TAG: MATCH_COMPARATORS},
    list_attributes=frozenset({"name", "run_id"}),
    # `version_number = '3'` is MLflow's too.
    quoted_integers=frozenset({"version_number"}),
    whole_numbers=True,
    backquoted_prefixes=False,
)
# MLflow's order of versions when none is asked for.
_DEFAULT_VERSION_ORDER = ["last_updated_timestamp DESC", "name ASC", "version_number DESC"]


def registered_model_conditions(text: str | None) -> list[ColumnElement[bool]]:
    comparisons, hide_prompts = _without_prompt_clauses(parse_filter(text, REGISTERED_MODELS))
    conditions = [
        map_condition(Model.properties, c)
        if c.entity is Entity.TAG
        else compare(_MODEL_COLUMNS[c.key], c.comparator, bound(c.value))
        for c in comparisons
    ]
    if hide_prompts:
        conditions.append(_not_prompt(Model.properties))
    return conditions


def registered_model_order(order_by: list[str]) -> list[ColumnElement[Any]]:
    """The orderings, then MLflow's tie-breaker: the name."""
    orderings = parse_order_by(order_by, REGISTERED_MODELS)
    return _ordered(orderings, _MODEL_COLUMNS, _by("name"))


def model_version_conditions(text: str | None) -> list[ColumnElement[bool]]:
    """Over versions joined to their models (a version's `name` is its model's)."""
    comparisons, hide_prompts = _without_prompt_clauses(parse_filter(text, MODEL_VERSIONS))
    conditions = [
        map_condition(ModelVersion.properties, c)
        if c.entity is Entity.TAG
        else compare(_VERSION_COLUMNS[c.key], c.comparator, bound(c.value))
        for c in comparisons
    ]
    if hide_prompts:
        conditions += [_not_prompt(ModelVersion.properties), _not_prompt(Model.properties)]
    return conditions


def model_version_order(order_by: list[str]) -> list[ColumnElement[Any]]:
    """The orderings (by default MLflow's: last updated first), then MLflow's tie-breakers:
    the name, then the highest version first."""
    orderings = parse_order_by(order_by or _DEFAULT_VERSION_ORDER, MODEL_VERSIONS)
    return _ordered(
        orderings, _VERSION_COLUMNS, _by("name"), _by("version_number", ascending=False)
    )


def _by(key: str, *, ascending: bool = True) -> Ordering:
    return Ordering(Entity.ATTRIBUTE, key, ascending)


def _without_prompt_clauses(comparisons: list[Comparison]) -> tuple[list[Comparison], bool]:
    """The clauses to compile and whether to hide prompts: MLflow asks its first clause on the
    prompt tag whether prompts are wanted; if not, every clause on that tag gives way to
    hiding them."""
    on_tag = [c for c in comparisons if c.entity is Entity.TAG and c.key == IS_PROMPT_TAG]
    if on_tag and _asks_for_prompts(on_tag[0]):
        return comparisons, False
    return [c for c in comparisons if c not in on_tag], True


def _asks_for_prompts(c: Comparison) -> bool:
    value = c.value.lower() if isinstance(c.value, str) else None
    return (c.comparator, value) in (("=", "true"), ("!=", "false"))


def _not_prompt(properties: InstrumentedAttribute[dict[str, str]]) -> ColumnElement[bool]:
    tagged: ColumnElement[str] = properties[IS_PROMPT_TAG].astext
    return tagged.is_distinct_from("true")


def _ordered(
    orderings: list[Ordering], columns: dict[str, Column[Any]], *tie_breakers: Ordering
) -> list[ColumnElement[Any]]:
    """The orderings, then each tie-breaker whose key they do not name."""
    named = {o.key for o in orderings}
    last = [o for o in tie_breakers if o.key not in named]
    return [direction(columns[o.key], o.ascending) for o in [*orderings, *last]]


async def registered_models(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchRegisteredModels
) -> tuple[Sequence[Model], str | None]:
    offset = offset_of(request.page_token)
    query = (
        select(Model)
        .where(Model.workspace_id == workspace_id, *registered_model_conditions(request.filter))
        .order_by(*registered_model_order(request.order_by))
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).scalars().all()
    return _page(found, offset, request.max_results)


async def model_versions(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchModelVersions
) -> tuple[Sequence[tuple[Model, ModelVersion]], str | None]:
    offset = offset_of(request.page_token)
    query = (
        select(Model, ModelVersion)
        .join(ModelVersion, ModelVersion.model_id == Model.id)
        .where(Model.workspace_id == workspace_id, *model_version_conditions(request.filter))
        .order_by(*model_version_order(request.order_by))
        .offset(offset)
        .limit(request.max_results + 1)
    )
    found = (await session.execute(query)).tuples().all()
    return _page(found, offset, request.max_results)


def _page(found: Sequence[Any], offset: int, size: int) -> tuple[Sequence[Any], str | None]:
    more = len(found) > size
    return found[:size], token_for(offset + size) if more else None

"""Metrics linked to logged models: MLflow 3's `log_metric(..., model_id=...)` (what model
evaluation logs). Kept on the model as the latest value of each metric per dataset, shown
by `get_logged_model` and searchable (`metrics.accuracy > 0.9`, narrowed by the search's
`datasets`). Pure: logged_models.service writes them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, cast, or_, select
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION

from keel_common.contracts.mlflow.base import LoggedMetric
from keel_metadata.logged_models.models import LoggedModel
from keel_metadata.tracking.runs import json_number
from keel_metadata.tracking.search import NAN, compare, json_elements
from keel_metadata.tracking.search_grammar import Comparison

_IDENTITY = ("key", "dataset_name", "dataset_digest")


def merged(
    known: list[dict[str, Any]], metrics: Sequence[LoggedMetric], run_id: str
) -> list[dict[str, Any]]:
    """The latest point (by step, then time) of each metric and dataset."""
    latest = {_identity(point): point for point in known}
    for metric in metrics:
        point = {
            "key": metric.key,
            "value": json_number(metric.value),
            "timestamp": metric.timestamp,
            "step": metric.step,
            "model_id": metric.model_id,
            "run_id": metric.run_id or run_id,
            "dataset_name": metric.dataset_name,
            "dataset_digest": metric.dataset_digest,
        }
        point = {k: v for k, v in point.items() if v is not None}
        current = latest.get(_identity(point))
        if current is None or _when(point) >= _when(current):
            latest[_identity(point)] = point
    return sorted(latest.values(), key=lambda p: tuple(str(p.get(f, "")) for f in _IDENTITY))


def condition(c: Comparison, datasets: Sequence[dict[str, Any]]) -> ColumnElement[bool]:
    """Some value of metric `c.key` satisfies the comparison (NaN never does, but for `!=`),
    on one of `datasets` if the search names any."""
    metric = json_elements(LoggedModel.metrics.expression, "logged_model_metric")
    value = cast(metric.c.value["value"].astext, DOUBLE_PRECISION)
    clauses = [
        metric.c.value["key"].astext == c.key,
        compare(value, c.comparator, cast(c.value, DOUBLE_PRECISION)),
    ]
    if c.comparator != "!=":
        clauses.append(value != NAN)
    if datasets:
        clauses.append(or_(*(_on_dataset(metric.c.value, d) for d in datasets)))
    return select(1).select_from(metric).where(*clauses).exists()


def _on_dataset(point: Any, dataset: dict[str, Any]) -> ColumnElement[bool]:
    named = [point["dataset_name"].astext == str(dataset.get("dataset_name", ""))]
    if dataset.get("dataset_digest"):
        named.append(point["dataset_digest"].astext == str(dataset["dataset_digest"]))
    return and_(*named)


def _identity(point: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(point.get(f) or "") for f in _IDENTITY)


def _when(point: dict[str, Any]) -> tuple[int, int]:
    return point["step"], point["timestamp"]

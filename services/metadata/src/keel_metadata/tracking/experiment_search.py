"""`search_experiments`' filter and order_by, compiled against the experiments table."""

from __future__ import annotations

from typing import Any

from keel_common.errors import FieldIssue, InvalidInput
from keel_metadata.tracking.models import Experiment


def where_clauses(text: str | None) -> list[Any]:
    if text:
        raise InvalidInput(
            "filters on experiments are not supported yet",
            errors=[FieldIssue(field="filter", reason="not supported yet")],
        )
    return []


def order_clauses(order_by: list[str]) -> list[Any]:
    if order_by:
        raise InvalidInput(
            "ordering experiments is not supported yet",
            errors=[FieldIssue(field="order_by", reason="not supported yet")],
        )
    # MLflow's default order: newest first.
    return [Experiment.creation_time.desc(), Experiment.number.desc()]

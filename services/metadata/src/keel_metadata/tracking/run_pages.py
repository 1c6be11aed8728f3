"""`search_runs`: MLflow's filter and order over the workspace's runs, a page at a time,
each run as the MLflow JSON Postgres writes for it (`run_json`).

A page also ends early when its runs' JSON grows large: a reply crosses Kafka as one
record (1 MiB), and the client follows `next_page_token` for the rest."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.runs import SearchRuns
from keel_metadata.tracking import experiments
from keel_metadata.tracking.models import Experiment, Run
from keel_metadata.tracking.run_json import RUN_JSON
from keel_metadata.tracking.search import (
    order_clauses,
    parse_filter,
    parse_order_by,
    where_clauses,
)
from keel_metadata.tracking.tokens import offset_of, token_for

# Bytes of runs' JSON per page, as the reply envelope writes them (quotes escaped).
PAGE_BUDGET = 850_000


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchRuns
) -> tuple[list[str], str | None]:
    conditions = where_clauses(parse_filter(request.filter))
    ordering = order_clauses(parse_order_by(request.order_by))
    offset = offset_of(request.page_token)
    numbers = [int(n) for n in request.experiment_ids]
    # The page's runs first, then JSON for those alone: built in the same query as the
    # sort, it would be built for every run the offset skips too.
    on_page = (
        select(Run.id)
        .join(Experiment, Experiment.id == Run.experiment_id)
        .where(
            Run.workspace_id == workspace_id,
            Experiment.workspace_id == workspace_id,
            Experiment.number.in_(numbers),
            Run.lifecycle_stage.in_(experiments.stages(request.run_view_type)),
            *conditions,
        )
        .order_by(*ordering)
        .offset(offset)
        .limit(request.max_results + 1)
        .subquery()
    )
    query = (
        select(RUN_JSON)
        .select_from(Run)
        .join(on_page, on_page.c.id == Run.id)
        .join(Experiment, Experiment.id == Run.experiment_id)
        .order_by(*ordering)
    )
    page: list[str] = []
    used = 0
    for run in (await session.scalars(query)).all():
        size = len(run) + run.count('"')
        if len(page) == request.max_results or (page and used + size > PAGE_BUDGET):
            return page, token_for(offset + len(page))
        page.append(run)
        used += size
    return page, None

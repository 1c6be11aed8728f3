"""`search_runs`: MLflow's filter and order over the workspace's runs, a page at a time.

A page also ends early when its runs' logged data grows large: a reply crosses Kafka as
one record, and the client follows `next_page_token` for the rest."""

from __future__ import annotations

import uuid

from sqlalchemy import Text, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.mlflow.runs import SearchRuns
from keel_metadata.tracking import experiments
from keel_metadata.tracking.models import Experiment, Run
from keel_metadata.tracking.search import (
    order_clauses,
    parse_filter,
    parse_order_by,
    where_clauses,
)
from keel_metadata.tracking.tokens import offset_of, token_for

# A page's estimated JSON size. A Kafka record holds 1 MiB; a run's view is about 500
# bytes of info plus under twice its params, tags and metrics as JSONB text.
PAGE_BUDGET = 700_000
RUN_INFO_BYTES = 500


async def search(
    session: AsyncSession, workspace_id: uuid.UUID, request: SearchRuns
) -> tuple[list[tuple[Run, int]], str | None]:
    conditions = where_clauses(parse_filter(request.filter))
    ordering = order_clauses(parse_order_by(request.order_by))
    offset = offset_of(request.page_token)
    numbers = [int(n) for n in request.experiment_ids]
    size = RUN_INFO_BYTES + 2 * (
        func.octet_length(Run.params.cast(Text))
        + func.octet_length(Run.tags.cast(Text))
        + func.octet_length(Run.metrics.cast(Text))
        + func.octet_length(Run.inputs.cast(Text))
        + func.octet_length(Run.outputs.cast(Text))
    )
    query = (
        select(Run, Experiment.number, size)
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
    )
    page: list[tuple[Run, int]] = []
    used = 0
    for run, number, run_size in (await session.execute(query)).all():
        if len(page) == request.max_results or (page and used + run_size > PAGE_BUDGET):
            return page, token_for(offset + len(page))
        page.append((run, number))
        used += run_size
    return page, None

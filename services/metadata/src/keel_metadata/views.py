"""Rows as contracts."""

from __future__ import annotations

from keel_common.contracts.metadata import RunView, StackComponent, StackView, StepView
from keel_metadata.runs.models import StepRun
from keel_metadata.runs.repository import RunRow
from keel_metadata.stacks.models import Stack


def run_view(row: RunRow) -> RunView:
    run = row.run
    return RunView(
        id=run.id,
        name=run.name,
        pipeline_id=run.pipeline_id,
        pipeline=row.pipeline,
        pipeline_version=row.pipeline_version,
        stack_id=run.stack_id,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        created_by=run.created_by,
        created_at=run.created_at,
        parameters=run.parameters,
        trigger=run.trigger,
        code_ref=run.code_ref,
        tags=run.tags,
        revision=run.revision,
    )


def step_view(step: StepRun) -> StepView:
    return StepView(
        id=step.id,
        run_id=step.run_id,
        name=step.name,
        status=step.status,
        upstream=step.upstream,
        cache_key=step.cache_key,
        cached_from=step.cached_from,
        started_at=step.started_at,
        finished_at=step.finished_at,
    )


def stack_view(stack: Stack) -> StackView:
    return StackView(
        id=stack.id,
        name=stack.name,
        description=stack.description,
        components=[StackComponent.model_validate(c) for c in stack.components],
        created_by=stack.created_by,
        created_at=stack.created_at,
    )

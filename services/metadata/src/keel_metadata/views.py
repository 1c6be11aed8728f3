"""Rows as contracts."""

from __future__ import annotations

from keel_common.contracts.artifacts import (
    ArtifactVersionView,
    LineageGraph,
    LineageStep,
)
from keel_common.contracts.metadata import (
    RunView,
    StackComponent,
    StackView,
    StepView,
)
from keel_common.contracts.registry import (
    ModelVersionView,
)
from keel_common.contracts.registry import (
    StageChange as StageChangeView,
)
from keel_metadata.artifacts.lineage import Lineage
from keel_metadata.artifacts.models import ArtifactVersion
from keel_metadata.registry.models import Model, ModelVersion
from keel_metadata.registry.service import VersionFacts
from keel_metadata.runs.models import StepRun
from keel_metadata.runs.repository import RunRow
from keel_metadata.stacks.models import Stack


def run_view(row: RunRow) -> RunView:
    run = row.run
    return RunView(
        id=run.id,
        name=run.name,
        project=run.project,
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
        tags=step.tags or [],  # a step not flushed yet has no default applied
    )


def stack_view(stack: Stack) -> StackView:
    return StackView(
        id=stack.id,
        name=stack.name,
        description=stack.description,
        components=[StackComponent.model_validate(c) for c in stack.components],
        created_by=stack.created_by,
        created_at=stack.created_at,
        tags=stack.tags or [],
    )


def artifact_version_view(version: ArtifactVersion, artifact: str) -> ArtifactVersionView:
    return ArtifactVersionView(
        id=version.id,
        artifact=artifact,
        version=version.version,
        uri=version.uri,
        type=version.type,
        data_type=version.data_type,
        materializer=version.materializer,
        size=version.size,
        content_hash=version.content_hash,
        visualizations=version.visualizations,
        tags=version.tags,
        output=version.output,
        producer_step_id=version.producer_step_id,
        producer_run_id=version.producer_run_id,
        created_at=version.created_at,
    )


def model_version_view(
    model: Model, version: ModelVersion, facts: VersionFacts
) -> ModelVersionView:
    return ModelVersionView(
        id=version.id,
        model=model.name,
        number=version.number,
        name=version.name,
        description=version.description,
        stage=version.stage,
        aliases=facts.aliases[version.id],
        run_id=version.run_id,
        artifacts=dict(facts.artifacts[version.id]),
        tags=version.tags,
        history=[
            StageChangeView(
                from_stage=c.from_stage,
                to_stage=c.to_stage,
                changed_by=c.changed_by,
                changed_at=c.changed_at,
            )
            for c in facts.history[version.id]
        ],
        created_by=version.created_by,
        created_at=version.created_at,
    )


def lineage_view(lineage: Lineage) -> LineageGraph:
    return LineageGraph(
        artifact_versions=[artifact_version_view(v, name) for v, name in lineage.versions],
        steps=[
            LineageStep(
                id=s.id,
                run_id=s.run_id,
                name=s.name,
                status=s.status,
                inputs=lineage.inputs.get(s.id, []),
                outputs=lineage.outputs.get(s.id, []),
            )
            for s in lineage.steps
        ],
    )

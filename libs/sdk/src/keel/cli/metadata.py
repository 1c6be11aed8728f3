"""`keel stack|pipeline|run|model list|get`: what the metadata store knows."""

from __future__ import annotations

from typing import Annotated

import typer

from keel.cli.context import JsonOption, WorkspaceOption, client, workspace
from keel.cli.output import print_fields, print_json, print_table

stacks = typer.Typer(help="Stacks: where pipelines run and store artifacts.")
pipelines = typer.Typer(help="Pipelines and their versions.")
runs = typer.Typer(help="Pipeline runs and their steps.")
models = typer.Typer(help="The model registry.")

Ref = Annotated[str, typer.Argument(help="Name or id.")]


@stacks.command("list")
def list_stacks(workspace_ref: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    with client() as keel:
        found = workspace(keel, workspace_ref).stacks.list()
    if as_json:
        print_json(found)
        return
    print_table(
        ["name", "components", "created", "id"],
        [
            [
                s.name,
                ", ".join(f"{c.type}:{c.flavor}" for c in s.components),
                s.created_at,
                str(s.id),
            ]
            for s in found
        ],
    )


@stacks.command("get")
def get_stack(
    stack: Ref, workspace_ref: WorkspaceOption = None, as_json: JsonOption = False
) -> None:
    with client() as keel:
        found = workspace(keel, workspace_ref).stacks.get(stack)
    if as_json:
        print_json(found)
        return
    print_fields([("name", found.name), ("id", str(found.id)), ("created", found.created_at)])
    print()
    print_table(
        ["type", "flavor", "name", "secrets"],
        [
            [c.type, c.flavor, c.name, ", ".join(f"{k}={v}" for k, v in c.secret_refs.items())]
            for c in found.components
        ],
    )


@pipelines.command("list")
def list_pipelines(workspace_ref: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    with client() as keel:
        found = workspace(keel, workspace_ref).pipelines.list()
    if as_json:
        print_json(found)
        return
    print_table(
        ["name", "latest version", "created", "id"],
        [[p.name, p.latest_version, p.created_at, str(p.id)] for p in found],
    )


@pipelines.command("get")
def get_pipeline(
    pipeline: Ref, workspace_ref: WorkspaceOption = None, as_json: JsonOption = False
) -> None:
    with client() as keel:
        found = workspace(keel, workspace_ref).pipelines.get(pipeline)
    if as_json:
        print_json(found)
        return
    print_fields(
        [
            ("name", found.name),
            ("id", str(found.id)),
            ("latest version", found.latest_version),
            ("created", found.created_at),
        ]
    )


@runs.command("list")
def list_runs(  # noqa: PLR0917 (typer: one parameter per option)
    status: Annotated[
        list[str] | None, typer.Option(help="running, completed, failed...; repeatable.")
    ] = None,
    pipeline: Annotated[str | None, typer.Option(help="Runs of this pipeline.")] = None,
    project: Annotated[str | None, typer.Option(help="Runs of this project.")] = None,
    stack: Annotated[str | None, typer.Option(help="Runs on this stack.")] = None,
    tag: Annotated[str | None, typer.Option(help="Runs with this tag.")] = None,
    name_prefix: Annotated[str | None, typer.Option(help="Names starting with this.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many (newest first).")] = 50,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Runs, newest first; filters combine."""
    with client() as keel:
        found = list(
            workspace(keel, workspace_ref).runs.list(
                status=status or (),
                pipeline=pipeline,
                project=project,
                stack=stack,
                tag=tag,
                name_prefix=name_prefix,
                limit=limit,
            )
        )
    if as_json:
        print_json(found)
        return
    print_table(
        ["name", "pipeline", "status", "started", "finished", "id"],
        [[r.name, r.pipeline, r.status, r.started_at, r.finished_at, str(r.id)] for r in found],
    )


@runs.command("get")
def get_run(
    run_id: Annotated[str, typer.Argument(help="The run's id.")],
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """A run and its steps."""
    with client() as keel:
        detail = workspace(keel, workspace_ref).runs.get(run_id)
    if as_json:
        print_json(detail)
        return
    run = detail.run
    print_fields(
        [
            ("name", run.name),
            ("id", str(run.id)),
            ("pipeline", run.pipeline),
            ("status", run.status),
            ("started", run.started_at),
            ("finished", run.finished_at),
            ("created by", run.created_by),
            ("tags", ", ".join(run.tags) or None),
        ]
    )
    if detail.steps:
        print()
        print_table(
            ["step", "status", "upstream", "started", "finished"],
            [
                [s.name, s.status, ", ".join(s.upstream), s.started_at, s.finished_at]
                for s in detail.steps
            ],
        )


@models.command("list")
def list_models(workspace_ref: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    with client() as keel:
        found = workspace(keel, workspace_ref).models.list()
    if as_json:
        print_json(found)
        return
    print_table(
        ["name", "latest version", "created", "id"],
        [[m.name, m.latest_version, m.created_at, str(m.id)] for m in found],
    )


@models.command("get")
def get_model(
    model: Annotated[str, typer.Argument(help="The model's name.")],
    version: Annotated[int | None, typer.Option(min=1, help="Only this version.")] = None,
    alias: Annotated[str | None, typer.Option(help="Only the version with this alias.")] = None,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """A model's versions (stage, aliases), or one version by number or alias."""
    with client() as keel:
        registry = workspace(keel, workspace_ref).models
        if version is not None or alias is not None:
            versions = [registry.version(model, version, alias=alias)]
        else:
            versions = registry.versions(model)
    if as_json:
        print_json(versions if version is None and alias is None else versions[0])
        return
    print_table(
        ["version", "stage", "aliases", "run", "created"],
        [
            [
                v.number,
                v.stage,
                ", ".join(v.aliases),
                str(v.run_id) if v.run_id else None,
                v.created_at,
            ]
            for v in versions
        ],
    )

"""`keel workspace list|use|create|current`."""

from __future__ import annotations

from typing import Annotated

import typer

from keel.cli.context import JsonOption, client
from keel.cli.output import print_json, print_table
from keel.config import Preferences

app = typer.Typer(help="Workspaces: list them, create one, choose the one commands act in.")


@app.command("list")
def list_workspaces(as_json: JsonOption = False) -> None:
    """The workspaces you may see; `*` marks the current one."""
    with client() as keel:
        workspaces = keel.workspaces.list()
    if as_json:
        print_json(workspaces)
        return
    current = Preferences.load().workspace_id
    print_table(
        ["", "slug", "name", "id", "created"],
        [
            ["*" if str(w.id) == current else "", w.slug, w.name, str(w.id), w.created_at]
            for w in workspaces
        ],
    )


@app.command()
def use(
    workspace: Annotated[str, typer.Argument(help="Slug, name or id.")],
) -> None:
    """Act in this workspace from now on (kept in your config; --workspace overrides)."""
    with client() as keel:
        found = keel.find_workspace(workspace)
    Preferences(workspace_id=str(found.id), workspace_slug=found.slug).save()
    print(f"Now using workspace {found.slug} ({found.id})")


@app.command()
def create(
    slug: Annotated[str, typer.Argument(help="Short name used in URLs and commands.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the slug).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a workspace (needs workspace:create in the organization)."""
    with client() as keel:
        created = keel.workspaces.create(name or slug, slug)
    if as_json:
        print_json(created)
    else:
        print(f"Created workspace {created.slug} ({created.id})")

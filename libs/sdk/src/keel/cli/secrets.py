"""`keel secret create|get|list|update|delete`. Values are never printed unless asked for
with `--reveal` (alias `--show-values`)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from keel.cli import secret_values
from keel.cli.context import JsonOption, WorkspaceOption, client, workspace
from keel.cli.exit_codes import ExitCode
from keel.cli.output import print_fields, print_json, print_table
from keel.models import Secret

app = typer.Typer(help="Secrets: values are write-only unless you ask to see them.")

Name = Annotated[str, typer.Argument(help="The secret's name (e.g. db/main) or id.")]
Values = Annotated[
    list[str] | None,
    typer.Option(
        "--value",
        help="KEY=VALUE; repeat for more keys (seen by `ps`: use --value-stdin for passwords).",
    ),
]
FromFile = Annotated[
    str | None,
    typer.Option(help="Read KEY=VALUE lines or a JSON object from this file (`-`: stdin)."),
]
ValueStdin = Annotated[
    str | None,
    typer.Option("--value-stdin", metavar="KEY", help="Read KEY's value from standard input."),
]
Description = Annotated[str | None, typer.Option(help="What the secret is for.")]
Reveal = Annotated[bool, typer.Option("--reveal", "--show-values", help="Also print the values.")]


def _values(
    pairs: list[str] | None, from_file: str | None, stdin_key: str | None
) -> dict[str, str]:
    try:
        return secret_values.collect(pairs or [], from_file, stdin_key, sys.stdin)
    except secret_values.BadValues as error:
        raise typer.BadParameter(str(error)) from None


def _show(secret: Secret) -> None:
    print_fields(
        [
            ("name", secret.name),
            ("id", str(secret.id)),
            ("version", secret.version),
            ("scope", secret.scope),
            ("backend", secret.backend),
            ("description", secret.description or None),
            ("keys", ", ".join(secret.keys)),
            ("updated", secret.updated_at),
            ("updated by", secret.updated_by),
        ]
    )


@app.command()
def create(  # noqa: PLR0917 (typer: one parameter per option)
    name: Name,
    value: Values = None,
    from_file: FromFile = None,
    value_stdin: ValueStdin = None,
    description: Description = None,
    private: Annotated[bool, typer.Option(help="Only you (and whom you share with).")] = False,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store a new secret: `keel secret create db/main --value USER=ml --value-stdin PASSWORD`."""
    values = _values(value, from_file, value_stdin)
    if not values:
        raise typer.BadParameter("give at least one value (--value, --from-file, --value-stdin)")
    with client() as keel:
        created = workspace(keel, workspace_ref).secrets.create(
            name,
            values,
            description=description or "",
            scope="private" if private else "workspace",
        )
    if as_json:
        print_json(created)
    else:
        print(
            f"Created secret {created.name} (version {created.version}, keys: "
            f"{', '.join(created.keys)})"
        )


@app.command("list")
def list_secrets(
    prefix: Annotated[str | None, typer.Option(help="Only names starting with this.")] = None,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """The secrets you may see: names, keys and versions, never values."""
    with client() as keel:
        found = list(workspace(keel, workspace_ref).secrets.list(prefix=prefix))
    if as_json:
        print_json(found)
        return
    print_table(
        ["name", "keys", "version", "scope", "updated"],
        [[s.name, ", ".join(s.keys), s.version, s.scope, s.updated_at] for s in found],
    )


@app.command()
def get(
    name: Name,
    reveal: Reveal = False,
    version: Annotated[int | None, typer.Option(min=1, help="An older version's values.")] = None,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a secret; its values only with --reveal."""
    with client() as keel:
        secrets = workspace(keel, workspace_ref).secrets
        secret = secrets.get(name)
        values = secrets.reveal(secret.id, version) if reveal else None
    if as_json:
        print_json({"secret": secret, **({"values": values.values} if values else {})})
        return
    _show(secret)
    if values is None:
        print("values:  (hidden; add --reveal to print them)")
        return
    print(f"values (version {values.version}):")
    for key, text in values.values.items():
        print(f"  {key}={text}")


@app.command()
def update(  # noqa: PLR0917 (typer: one parameter per option)
    name: Name,
    value: Values = None,
    from_file: FromFile = None,
    value_stdin: ValueStdin = None,
    description: Description = None,
    expected_version: Annotated[
        int | None, typer.Option(min=1, help="Refuse (exit 6) unless still at this version.")
    ] = None,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """New values make a new version (the keys given replace all); a description alone not."""
    values = _values(value, from_file, value_stdin) or None
    if values is None and description is None:
        raise typer.BadParameter("nothing to change: give values or --description")
    with client() as keel:
        updated = workspace(keel, workspace_ref).secrets.update(
            name, values=values, description=description, expected_version=expected_version
        )
    if as_json:
        print_json(updated)
    else:
        print(f"Updated secret {updated.name} (version {updated.version})")


@app.command()
def delete(
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    workspace_ref: WorkspaceOption = None,
) -> None:
    """Delete a secret and every version of its values."""
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("deleting needs --yes when not run from a terminal")
        if not typer.confirm(f"Delete secret {name} and all its versions?"):
            raise typer.Exit(ExitCode.FAILED)
    with client() as keel:
        workspace(keel, workspace_ref).secrets.delete(name)
    print(f"Deleted secret {name}")

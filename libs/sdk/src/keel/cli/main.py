"""`keel`: the root command; each group lives in its own module.

`main` is the console script: SDK errors raised by any command end here, as one line on
stderr (with the request id to quote) and the exit code for their kind.
"""

from __future__ import annotations

import sys

import typer

from keel.cli import access, dev, metadata, organization, relays, secrets, workspaces
from keel.cli.exit_codes import exit_code_for
from keel.cli.login import login, logout
from keel.errors import ApiError, KeelError

app = typer.Typer(
    name="keel",
    help="Keel: a self-hostable MLOps control plane. Exit codes: docs/cli.md.",
    no_args_is_help=True,
)
app.command()(login)
app.command()(logout)
app.add_typer(workspaces.app, name="workspace")
app.add_typer(organization.teams, name="team")
app.add_typer(organization.sso, name="sso")
app.add_typer(secrets.app, name="secret")
app.add_typer(relays.app, name="relay")
app.add_typer(access.app, name="service-account")
app.add_typer(metadata.stacks, name="stack")
app.add_typer(metadata.pipelines, name="pipeline")
app.add_typer(metadata.runs, name="run")
app.add_typer(metadata.models, name="model")
app.add_typer(dev.app, name="dev")


def main() -> None:
    try:
        app()
    except KeelError as error:
        typer.echo(f"error: {error}", err=True)
        if isinstance(error, ApiError) and error.request_id:
            typer.echo(f"(request id {error.request_id})", err=True)
        sys.exit(exit_code_for(error))

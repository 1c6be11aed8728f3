"""`keel`: the root command; each group lives in its own module.

`main` is the console script: SDK errors raised by any command end here, as one line on
stderr (with the request id to quote) and the exit code for their kind.
"""

from __future__ import annotations

import sys

import typer

from keel.cli import dev
from keel.cli.exit_codes import exit_code_for
from keel.cli.login import login
from keel.errors import ApiError, KeelError

app = typer.Typer(
    name="keel",
    help="Keel: a self-hostable MLOps control plane.",
    no_args_is_help=True,
)
app.add_typer(dev.app, name="dev")
app.command()(login)


def main() -> None:
    try:
        app()
    except KeelError as error:
        typer.echo(f"error: {error}", err=True)
        if isinstance(error, ApiError) and error.request_id:
            typer.echo(f"(request id {error.request_id})", err=True)
        sys.exit(exit_code_for(error))

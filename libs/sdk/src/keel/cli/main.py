"""`keel`: the root command; each group lives in its own module."""

from __future__ import annotations

import typer

from keel.cli import dev
from keel.cli.login import login

app = typer.Typer(
    name="keel",
    help="Keel: a self-hostable MLOps control plane.",
    no_args_is_help=True,
)
app.add_typer(dev.app, name="dev")
app.command()(login)

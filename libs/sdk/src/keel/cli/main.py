"""`keel`: the root command; each group lives in its own module."""

from __future__ import annotations

import typer

from keel.cli import dev

app = typer.Typer(
    name="keel",
    help="Keel: a self-hostable MLOps control plane.",
    no_args_is_help=True,
)
app.add_typer(dev.app, name="dev")

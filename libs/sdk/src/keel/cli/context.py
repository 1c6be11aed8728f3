"""What every command needs: a signed-in client and the workspace to act in, plus the
options that choose them."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from keel.client import Client, WorkspaceClient
from keel.config import Preferences

WorkspaceOption = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        envvar="KEEL_WORKSPACE",
        help="Workspace slug or id (default: the one `keel workspace use` chose).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def client() -> Client:
    """Signed in as `keel login` saved; $KEEL_URL points it at another gateway."""
    return Client.from_config(os.environ.get("KEEL_URL"))


def workspace(keel: Client, chosen: str | None) -> WorkspaceClient:
    ref = chosen or Preferences.load().workspace_id
    if not ref:
        raise typer.BadParameter(
            "no workspace chosen: pass --workspace or run `keel workspace use <slug>`",
            param_hint="--workspace",
        )
    return keel.workspace(ref)

"""`keel relay register|list|status`."""

from __future__ import annotations

from typing import Annotated

import typer

from keel.cli.context import JsonOption, WorkspaceOption, client, workspace
from keel.cli.output import print_fields, print_json, print_table

app = typer.Typer(help="Relays keep a workspace's secret values inside your own network.")


@app.command()
def register(
    name: Annotated[str, typer.Argument(help="A name for the relay.")],
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a relay; prints its enrollment bundle, once."""
    with client() as keel:
        registered = workspace(keel, workspace_ref).relays.register(name)
    if as_json:
        print_json(registered)
        return
    print(f"Registered relay {registered.relay.name} ({registered.relay.id}).")
    print("Give it this enrollment bundle as KEEL_RELAY_ENROLLMENT (shown only now):\n")
    print(registered.enrollment)


@app.command("list")
def list_relays(workspace_ref: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    with client() as keel:
        relays = workspace(keel, workspace_ref).relays.list()
    if as_json:
        print_json(relays)
        return
    print_table(
        ["name", "status", "instances", "last heartbeat", "id"],
        [[r.name, r.status, len(r.instances), r.last_heartbeat_at, str(r.id)] for r in relays],
    )


@app.command()
def status(
    relay: Annotated[str, typer.Argument(help="The relay's name or id.")],
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Whether the relay is online, and each of its instances."""
    with client() as keel:
        found = workspace(keel, workspace_ref).relays.get(relay)
    if as_json:
        print_json(found)
        return
    print_fields(
        [
            ("name", found.name),
            ("id", str(found.id)),
            ("status", found.status),
            ("enrolled", found.enrolled_at),
            ("last heartbeat", found.last_heartbeat_at),
        ]
    )
    if found.instances:
        print()
        print_table(
            ["instance", "online", "vault", "partitions", "version", "last heartbeat"],
            [
                [
                    i.instance,
                    i.online,
                    i.vault,
                    ",".join(map(str, i.partitions)),
                    i.version,
                    i.last_heartbeat_at,
                ]
                for i in found.instances
            ],
        )

"""`keel service-account list|create|create-key|revoke-key`: identities for machines."""

from __future__ import annotations

from typing import Annotated

import typer

from keel.cli.context import JsonOption, WorkspaceOption, client, workspace
from keel.cli.output import print_json, print_table
from keel.models import ServiceAccount
from keel.resources.lookup import find

app = typer.Typer(help="Service accounts and their API keys, for pipelines and CI.")

Account = Annotated[str, typer.Argument(help="The service account's name or id.")]


@app.command("list")
def list_accounts(workspace_ref: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    with client() as keel:
        found = workspace(keel, workspace_ref).service_accounts.list()
    if as_json:
        print_json(found)
        return
    print_table(
        ["name", "active", "created", "id"],
        [[a.name, a.active, a.created_at, str(a.id)] for a in found],
    )


@app.command()
def create(
    name: Annotated[str, typer.Argument(help="A name for the account.")],
    role: Annotated[str, typer.Option(help="Its role in the workspace.")] = "viewer",
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    with client() as keel:
        created = workspace(keel, workspace_ref).service_accounts.create(name, role)
    if as_json:
        print_json(created)
    else:
        print(f"Created service account {created.name} ({created.id}) with role {role}")


@app.command("create-key")
def create_key(
    account: Account,
    name: Annotated[str, typer.Option(help="What the key is for.")] = "default",
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
    workspace_ref: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """A new API key; printed once (Keel keeps only its hash)."""
    with client() as keel:
        scope = workspace(keel, workspace_ref)
        account_id = _account_id(scope.service_accounts.list(), account)
        key = scope.service_accounts.create_api_key(account_id, name, expires_in_days)
    if as_json:
        print_json(key)
        return
    print(f"Created API key {key.name} ({key.id}); it is shown only now:\n")
    print(key.key)
    print("\nUse it with: keel login --api-key-stdin")


@app.command("revoke-key")
def revoke_key(
    account: Account,
    key_id: Annotated[str, typer.Argument(help="The key's id.")],
    workspace_ref: WorkspaceOption = None,
) -> None:
    with client() as keel:
        scope = workspace(keel, workspace_ref)
        account_id = _account_id(scope.service_accounts.list(), account)
        scope.service_accounts.revoke_api_key(account_id, key_id)
    print(f"Revoked API key {key_id}")


def _account_id(accounts: list[ServiceAccount], ref: str) -> str:
    return str(find(accounts, ref, "service account").id)

"""`keel team create|list|grant` and `keel sso configure`: who belongs to the organization
and how people sign in to it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from keel.cli.context import JsonOption, WorkspaceOption, client, workspace
from keel.cli.output import print_json, print_table
from keel.resources.lookup import find

teams = typer.Typer(help="Teams: groups of people that hold workspace roles together.")
sso = typer.Typer(help="Single sign-on through the organization's identity provider.")

TeamArgument = Annotated[str, typer.Argument(help="The team's name or id.")]


@teams.command("list")
def list_teams(as_json: JsonOption = False) -> None:
    with client() as keel:
        found = keel.teams.list()
    if as_json:
        print_json(found)
        return
    print_table(["name", "members", "id"], [[t.name, len(t.members), str(t.id)] for t in found])


@teams.command("create")
def create_team(
    name: Annotated[str, typer.Argument(help="A name for the team.")],
    as_json: JsonOption = False,
) -> None:
    with client() as keel:
        created = keel.teams.create(name)
    if as_json:
        print_json(created)
    else:
        print(f"Created team {created.name} ({created.id})")


@teams.command("grant")
def grant_team(
    team: TeamArgument,
    role: Annotated[str, typer.Argument(help="A workspace role: viewer, developer, admin...")],
    workspace_ref: WorkspaceOption = None,
) -> None:
    """Give every member of the team this role in the workspace."""
    with client() as keel:
        found = find(keel.teams.list(), team, "team")
        scope = workspace(keel, workspace_ref)
        scope.members.set_team_role(found.id, role)
    print(f"Team {found.name} now has role {role} in the workspace")


@sso.command("configure")
def configure_sso(  # noqa: PLR0917 (typer: one parameter per option)
    issuer: Annotated[str, typer.Option(help="The identity provider's issuer URL.")],
    client_id: Annotated[str, typer.Option(help="Keel's client id at the provider.")],
    client_secret_stdin: Annotated[
        bool,
        typer.Option("--client-secret-stdin", help="Read the client secret from standard input."),
    ] = False,
    allowed_domain: Annotated[
        list[str] | None,
        typer.Option(help="An email domain whose users may sign in (repeat for several)."),
    ] = None,
    group_claim: Annotated[
        str | None, typer.Option(help="The ID-token claim that lists a user's groups.")
    ] = None,
    group_team: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GROUP=TEAM",
            help="Members of this IdP group join this team (name or id) when they sign in.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Let people sign in through the organization's identity provider. Inviting someone is
    then giving their IdP group a team (--group-team) and the team a role (`keel team
    grant`); they sign in with `keel login --sso <organization>`."""
    secret = sys.stdin.readline().strip() if client_secret_stdin else None
    with client() as keel:
        known = keel.teams.list()
        mapping = {}
        for pair in group_team or []:
            group, separator, team = pair.partition("=")
            if not separator or not group or not team:
                raise typer.BadParameter(f"{pair!r} is not GROUP=TEAM", param_hint="--group-team")
            mapping[group] = find(known, team, "team").id
        configured = keel.sso.configure(
            issuer,
            client_id,
            client_secret=secret or None,
            allowed_domains=allowed_domain or [],
            group_claim=group_claim,
            group_teams=mapping,
        )
    if as_json:
        print_json(configured)
        return
    print(
        f"Single sign-on through {configured.issuer} is on for organization "
        f"{configured.organization_id}.\n"
        f"People sign in with: keel login --sso {configured.organization_id}"
    )

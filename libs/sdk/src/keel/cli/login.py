"""`keel login` and `keel logout`.

People sign in with the device flow: approve a code from a signed-in session, or (`--sso`)
by signing in through the organization's identity provider in a browser; local accounts
may use email and password; machines store an API key. Keys and passwords are
read from stdin, never from flags that `ps` and shell history would keep.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from keel.client import Client
from keel.config import DEFAULT_URL, Credentials
from keel.errors import Unauthenticated

Url = Annotated[str, typer.Option("--url", envvar="KEEL_URL", help="The Keel gateway.")]


def login(
    url: Url = DEFAULT_URL,
    api_key_stdin: Annotated[
        bool, typer.Option("--api-key-stdin", help="Read an API key from standard input.")
    ] = False,
    email: Annotated[
        str | None, typer.Option(help="Sign in with this local account's password.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    sso: Annotated[
        str | None,
        typer.Option(
            "--sso",
            metavar="ORGANIZATION",
            help="Sign in through this organization's identity provider (its id, as "
            "`keel sso configure` printed it).",
        ),
    ] = None,
) -> None:
    """Sign in: through your organization's identity provider, by approving a code from a
    signed-in session, with a local account's password, or (machines) an API key."""
    url = url.rstrip("/")
    if api_key_stdin:
        _store_api_key(url, sys.stdin.readline().strip())
        return
    with Client(url) as anonymous:
        if email:
            password = (
                sys.stdin.readline().rstrip("\n")
                if password_stdin
                else typer.prompt("Password", hide_input=True)
            )
            tokens = anonymous.sessions.password_login(email, password)
        else:
            code = anonymous.sessions.start_device_login()
            if sso:
                link = anonymous.sessions.sso_sign_in_url(sso, code.user_code)
                typer.echo(
                    f"To sign in, open this link in your browser and sign in with your "
                    f"organization's identity provider:\n\n    {link}\n\n"
                    f"It approves the code {code.user_code}."
                )
            else:
                typer.echo(
                    f"To sign in, approve this code from a signed-in session:\n\n"
                    f"    {code.user_code}\n\n"
                    f"at {code.verification_uri_complete}"
                )
            typer.echo(f"Waiting for approval (expires in {code.expires_in // 60} minutes) ...")
            tokens = anonymous.sessions.wait_for_device_login(code)
    path = Credentials(url, tokens.access_token, tokens.refresh_token).save()
    typer.echo(f"Signed in. Credentials saved to {path}")


def logout() -> None:
    """Forget the saved credentials."""
    if Credentials.forget():
        typer.echo("Signed out.")
    else:
        typer.echo("Not signed in.")


def _store_api_key(url: str, key: str) -> None:
    if not key:
        raise typer.BadParameter("no API key on standard input", param_hint="--api-key-stdin")
    with Client(url, api_key=key) as keel:
        try:
            keel.workspaces.list()
        except Unauthenticated as error:
            error.detail = "the gateway does not accept this API key"
            raise
    path = Credentials(url, api_key=key).save()
    typer.echo(f"API key stored in {path}")

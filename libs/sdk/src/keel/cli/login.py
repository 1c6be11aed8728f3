"""`keel login`: sign in from a terminal with the device flow, or store an API key."""

from __future__ import annotations

import sys
import time
from typing import Annotated, Any

import httpx
import typer

from keel.config import Credentials

EXIT_FAILED = 1
DEFAULT_URL = "http://127.0.0.1:8080"

Url = Annotated[str, typer.Option("--url", envvar="KEEL_URL", help="The Keel gateway.")]


def login(
    url: Url = DEFAULT_URL,
    api_key_stdin: Annotated[
        bool, typer.Option("--api-key-stdin", help="Read an API key from standard input.")
    ] = False,
) -> None:
    """Sign in: approve a code in your browser session, or (machines) give an API key."""
    url = url.rstrip("/")
    if api_key_stdin:
        _store_api_key(url, sys.stdin.readline().strip())
        return
    with httpx.Client(base_url=url, timeout=10) as http:
        started = _json(http.post("/api/v1/auth/device/code"))
        typer.echo(
            f"To sign in, approve this code from a signed-in session:\n\n"
            f"    {started['user_code']}\n\n"
            f"at {started['verification_uri_complete']}\n"
            f"Waiting for approval (expires in {started['expires_in'] // 60} minutes) ..."
        )
        tokens = _poll(http, started["device_code"], int(started["interval"]))
    path = Credentials(url, tokens["access_token"], tokens["refresh_token"]).save()
    typer.echo(f"Signed in. Credentials saved to {path}")


def _poll(http: httpx.Client, device_code: str, interval: int) -> dict[str, str]:
    while True:
        time.sleep(interval)
        response = http.post("/api/v1/auth/device/token", json={"device_code": device_code})
        if response.status_code == 200:
            tokens: dict[str, str] = response.json()
            return tokens
        error = response.json().get("error") if response.status_code == 400 else None
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval = int(response.json().get("interval", interval + 5))
            continue
        typer.echo(f"error: {response.json().get('detail', response.text)}", err=True)
        raise typer.Exit(EXIT_FAILED)


def _store_api_key(url: str, key: str) -> None:
    if not key:
        typer.echo("error: no API key on standard input", err=True)
        raise typer.Exit(EXIT_FAILED)
    check = httpx.get(f"{url}/api/v1/workspaces", headers={"Authorization": f"Bearer {key}"})
    if check.status_code != 200:
        typer.echo("error: the gateway does not accept this API key", err=True)
        raise typer.Exit(EXIT_FAILED)
    path = Credentials(url, api_key=key).save()
    typer.echo(f"API key stored in {path}")


def _json(response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        typer.echo(f"error: the gateway answered {response.status_code}", err=True)
        raise typer.Exit(EXIT_FAILED)
    body: dict[str, Any] = response.json()
    return body

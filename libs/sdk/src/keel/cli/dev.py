"""`keel dev up|down|status`: the embedded local stack, no Docker needed."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from keel_devstack.stack import Stack, StackSettings

app = typer.Typer(help="Run Keel locally: Postgres, a Kafka broker, OpenBao and the services.")

# Exit codes scripts can rely on.
EXIT_FAILED = 1
EXIT_NOT_RUNNING = 3

Home = Annotated[
    Path | None,
    typer.Option(help="Where the stack keeps its data (default: ./.keel, or $KEEL_DEV_HOME)."),
]


class ScenarioChoice(StrEnum):
    """keel_devstack.scenarios.Scenario, spelled here so `--help` works without it."""

    saas = "saas"
    hybrid = "hybrid"
    onprem = "onprem"


ScenarioOption = Annotated[
    ScenarioChoice | None,
    typer.Option(
        "--scenario",
        help=(
            "Run one of the three deployments: saas (control plane, values in Postgres), "
            "hybrid (plus the customer's OpenBao and a relay; workspace `customer` keeps its "
            "values there), onprem (every workspace on the `vault` backend). "
            "Default: the developer's stack."
        ),
    ),
]


def _settings(home: Path | None) -> StackSettings:
    try:
        from keel_devstack.stack import StackSettings
    except ImportError:
        typer.echo("`keel dev` needs the embedded stack: pip install 'keel[dev]'", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    return StackSettings(home=home) if home else StackSettings()


@app.command()
def up(home: Home = None, scenario: ScenarioOption = None) -> None:
    """Start the whole stack in the foreground; Ctrl-C stops it cleanly."""
    from keel_devstack.process import ComponentError
    from keel_devstack.stack import Stack, wait_for_signal

    settings = _settings(home)
    if scenario is not None:
        settings = settings.model_copy(update={"scenario": scenario.value})
    stack = Stack(settings)
    described = f", scenario {settings.scenario}" if settings.scenario else ""
    typer.echo(f"Starting Keel (data in {settings.home}{described}) ...")
    try:
        stack.start(progress=lambda step: typer.echo(f"  {step}"))
    except ComponentError as exc:
        stack.stop()
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    except KeyboardInterrupt:
        stack.stop()
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(
        f"\nKeel is up.\n"
        f"  Gateway:  {stack.gateway_url}\n"
        f"  Health:   curl {stack.gateway_url}/api/v1/health\n"
        f"  API docs: {stack.gateway_url}/docs\n"
        f"  Logs:     {settings.home / 'logs'}\n"
        f"  Sign in:  {_sign_in(stack)}\n"
        f"{_customer_side(stack)}"
        f"\nPress Ctrl-C to stop."
    )
    try:
        wait_for_signal()
    finally:
        typer.echo("Stopping Keel ...")
        stack.stop()
        typer.echo("Stopped.")


@app.command()
def down(home: Home = None) -> None:
    """Stop a stack started with `keel dev up` (from another terminal)."""
    from keel_devstack.stack import stop_running_stack

    settings = _settings(home)
    if not stop_running_stack(settings.home):
        typer.echo("No Keel stack is running here.")
        raise typer.Exit(EXIT_NOT_RUNNING)
    typer.echo("Stopped.")


@app.command()
def status(
    home: Home = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Show whether the stack runs and what each service reports."""
    from keel_devstack.stack import StackState

    settings = _settings(home)
    state = StackState.load(settings.home)
    if state is None or not _alive(state.supervisor_pid):
        if as_json:
            typer.echo(json.dumps({"running": False}))
        else:
            typer.echo("Keel is not running (start it with `keel dev up`).")
        raise typer.Exit(EXIT_NOT_RUNNING)
    report = _health(state.gateway_url)
    if as_json:
        typer.echo(json.dumps({"running": True, "gateway": state.gateway_url, "health": report}))
        return
    typer.echo(f"Keel is running at {state.gateway_url}")
    for name, service in (report or {}).get("services", {}).items():
        rtt = f"{service['rtt_ms']} ms" if service.get("rtt_ms") is not None else ""
        typer.echo(f"  {name:<10} {service['status']:<12} {rtt}")
    if report is None:
        typer.echo("  the gateway does not answer")
        raise typer.Exit(EXIT_FAILED)


def _sign_in(stack: Stack) -> str:
    credentials = stack.infra.credentials
    if not credentials.generated_password:
        return f"{credentials.admin_email} with the password you set"
    return (
        f"{credentials.admin_email} / {credentials.admin_password}  "
        f"(generated; kept in {stack.home / 'credentials.json'})"
    )


def _customer_side(stack: Stack) -> str:
    customer = stack.customer
    if customer is None or customer.registration is None or customer.relay is None:
        return ""
    registration = customer.registration
    return (
        f"  Customer: workspace `customer` ({registration.workspace_id}) keeps its values in "
        f"{customer.vault.address}\n"
        f"            through relay {registration.relay_id} "
        f"(health http://127.0.0.1:{customer.relay_port}/healthz, log {customer.relay.log_path})\n"
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _health(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as exc:
        return dict(json.load(exc))
    except (urllib.error.URLError, OSError, ValueError):
        return None

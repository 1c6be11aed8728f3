"""`keel dev up --scenario saas|hybrid|onprem`: the three deployments on one machine."""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from keel.cli.dev import ScenarioChoice
from keel_devstack.process import port_is_free
from keel_devstack.scenarios import SCENARIOS, has_control_plane_vault, secrets_env
from tests.cli.conftest import KEEL, keel
from tests.support.processes import wait_for_line


def test_the_cli_offers_exactly_the_stacks_scenarios() -> None:
    assert tuple(choice.value for choice in ScenarioChoice) == SCENARIOS


def test_each_scenario_configures_the_secrets_backend() -> None:
    # Scenarios 1 and 2: no Vault beside the control plane (the stack starts no OpenBao and
    # the secrets service gets no Vault address); values in Postgres by default, and a
    # Scenario 2 workspace moves itself to its relay. Scenario 3: Vault for everyone.
    for scenario in ("saas", "hybrid"):
        assert not has_control_plane_vault(scenario)
        assert secrets_env(scenario) == {"KEEL_SECRETS_DEFAULT_BACKEND": "sql"}
    assert has_control_plane_vault("onprem")
    assert secrets_env("onprem") == {"KEEL_SECRETS_DEFAULT_BACKEND": "vault"}
    # The developer's stack: unchanged default, the stack's OpenBao available.
    assert has_control_plane_vault(None)
    assert secrets_env(None) == {}


def test_an_unknown_scenario_is_refused(stack_env: dict[str, str]) -> None:
    result = keel("dev", "up", "--scenario", "cloud", env=stack_env)
    assert result.returncode == 2
    assert "cloud" in result.stderr


@contextmanager
def running(scenario: str, env: dict[str, str]) -> Iterator[list[str]]:
    """`keel dev up --scenario` until `keel dev down`; yields what `up` printed. Every port
    of the scenario is free again afterwards."""
    up = subprocess.Popen(
        [KEEL, "dev", "up", "--scenario", scenario],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield wait_for_line(up, "Press Ctrl-C to stop.", timeout=180)
        down = keel("dev", "down", env=env)
        assert down.returncode == 0, down.stderr
        assert up.wait(60) == 0
    finally:
        if up.poll() is None:
            up.send_signal(signal.SIGINT)
            up.wait(60)
    ports = {"saas": [], "hybrid": ["CUSTOMER_OPENBAO", "RELAY"], "onprem": ["OPENBAO"]}
    for port in ["GATEWAY", "POSTGRES", "KAFKA", *ports[scenario]]:
        assert port_is_free(int(env[f"KEEL_DEV_{port}_PORT"])), f"{port} still listening"


def admin_headers(env: dict[str, str]) -> dict[str, str]:
    credentials = json.loads((Path(env["KEEL_DEV_HOME"]) / "credentials.json").read_text())
    login = httpx.post(
        f"{api(env)}/auth/login",
        json={"email": credentials["admin_email"], "password": credentials["admin_password"]},
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def api(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['KEEL_DEV_GATEWAY_PORT']}/api/v1"


def create_secret(workspace: str, headers: dict[str, str], value: str) -> str:
    name = f"db-{uuid.uuid4().hex[:6]}"
    created = httpx.post(
        f"{workspace}/secrets",
        json={"name": name, "values": {"PASSWORD": value}},
        headers=headers,
        timeout=15,
    )
    assert created.status_code == 201, created.text
    return name


def read_kv(vault: str, token_file: Path, path: str) -> dict[str, str]:
    token = token_file.read_text().strip()
    stored = httpx.get(f"{vault}/v1/secret/data/{path}", headers={"X-Vault-Token": token})
    assert stored.status_code == 200, stored.text
    data: dict[str, str] = stored.json()["data"]["data"]
    return data


def test_hybrid_keeps_the_customers_values_in_the_customers_openbao(
    stack_env: dict[str, str],
) -> None:
    """The customer's OpenBao and relay come up with the control plane; a secret written
    through the gateway to workspace `customer` is in that OpenBao."""
    home = Path(stack_env["KEEL_DEV_HOME"])
    with running("hybrid", stack_env) as printed:
        assert any("Customer: workspace `customer`" in line for line in printed), printed
        headers = admin_headers(stack_env)
        registration = json.loads((home / "customer" / "registration.json").read_text())
        workspace = f"{api(stack_env)}/workspaces/{registration['workspace_id']}"

        backend = httpx.get(f"{workspace}/secrets-backend", headers=headers).json()
        assert backend == {"kind": "relay", "relay_id": registration["relay_id"], "vault": None}

        name = create_secret(workspace, headers, "s3cret-hybrid")
        customer_vault = f"http://127.0.0.1:{stack_env['KEEL_DEV_CUSTOMER_OPENBAO_PORT']}"
        token_file = home / "customer" / "openbao" / "root-token"
        assert read_kv(customer_vault, token_file, f"keel/{name}") == {"PASSWORD": "s3cret-hybrid"}


def test_onprem_keeps_every_workspaces_values_in_vault(stack_env: dict[str, str]) -> None:
    """A new workspace, which chose no backend, stores its values in the stack's OpenBao."""
    home = Path(stack_env["KEEL_DEV_HOME"])
    with running("onprem", stack_env):
        headers = admin_headers(stack_env)
        created = httpx.post(
            f"{api(stack_env)}/workspaces",
            json={"name": "Plant 7", "slug": "plant-7"},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        workspace_id = created.json()["id"]
        workspace = f"{api(stack_env)}/workspaces/{workspace_id}"
        assert httpx.get(f"{workspace}/secrets-backend", headers=headers).json()["kind"] == "vault"

        name = create_secret(workspace, headers, "s3cret-onprem")
        vault = f"http://127.0.0.1:{stack_env['KEEL_DEV_OPENBAO_PORT']}"
        token_file = home / "openbao" / "root-token"
        stored = read_kv(vault, token_file, f"keel/{workspace_id}/{name}")
        assert stored == {"PASSWORD": "s3cret-onprem"}

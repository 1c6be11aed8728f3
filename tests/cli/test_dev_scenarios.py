"""`keel dev up --scenario saas|hybrid|onprem`: the three deployments on one machine, each
running the same user journey (tests/support/journey.py) and checked for where its data
landed, as docs/scenario-*.md ("Where data lives") says."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

from keel import Client, WorkspaceClient
from keel.cli.dev import ScenarioChoice
from keel_common.db.database import Database
from keel_common.settings import BusSettings
from keel_devstack.openbao import OpenBao
from keel_devstack.postgres import SUPERUSER
from keel_devstack.process import ManagedProcess, free_port, port_is_free
from keel_devstack.scenarios import SCENARIOS, has_control_plane_vault, secrets_env
from tests.cli.conftest import KEEL, keel
from tests.e2e.relay_support import least_privilege_token
from tests.support.database import assert_absent_from_database
from tests.support.egress import AUDIT_HOOK_DIR, SocketSampler, audited_calls, is_local
from tests.support.journey import Journey, assert_journey_recorded, ml_journey, sign_in
from tests.support.kafka import assert_absent_from_kafka, encoded_forms
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


@dataclass
class DevStack:
    """A running `keel dev up --scenario` stack, as a test reaches it."""

    env: dict[str, str]
    printed: list[str]
    # Every socket of the stack's processes, while it runs (Scenario 3's proof).
    sockets: SocketSampler

    @property
    def home(self) -> Path:
        return Path(self.env["KEEL_DEV_HOME"])

    def port(self, name: str) -> int:
        return int(self.env[f"KEEL_DEV_{name}_PORT"])

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port('GATEWAY')}/api/v1"

    def sign_in(self) -> Client:
        credentials = json.loads((self.home / "credentials.json").read_text())
        return sign_in(
            f"http://127.0.0.1:{self.port('GATEWAY')}",
            credentials["admin_email"],
            credentials["admin_password"],
        )

    def database_url(self, database: str) -> str:
        password = (self.home / "postgres" / "password").read_text().strip()
        return f"postgresql+asyncpg://{SUPERUSER}:{password}@127.0.0.1:{self.port('POSTGRES')}/{database}"

    def bus(self) -> BusSettings:
        return BusSettings(bootstrap=f"127.0.0.1:{self.port('KAFKA')}", profile="tansu")

    def vault_kv(self, vault: str, path: str) -> dict[str, str] | None:
        """The KV v2 entry at `path` of the stack's OpenBao (`openbao`) or the customer's
        (`customer/openbao`), read with its root token; None when there is none."""
        port = self.port("CUSTOMER_OPENBAO" if vault.startswith("customer") else "OPENBAO")
        token = (self.home / vault / "root-token").read_text().strip()
        stored = httpx.get(
            f"http://127.0.0.1:{port}/v1/secret/data/{path}", headers={"X-Vault-Token": token}
        )
        if stored.status_code == 404:
            return None
        assert stored.status_code == 200, stored.text
        data: dict[str, str] = stored.json()["data"]["data"]
        return data


@contextmanager
def running(scenario: str, env: dict[str, str]) -> Iterator[DevStack]:
    """`keel dev up --scenario` until `keel dev down`. Every port of the scenario is free
    again afterwards."""
    up = subprocess.Popen(
        [KEEL, "dev", "up", "--scenario", scenario],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with SocketSampler(up.pid) as sockets:
            printed = wait_for_line(up, "Press Ctrl-C to stop.", timeout=180)
            yield DevStack(env, printed, sockets)
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


def journey(
    stack: DevStack, onboard: Callable[[WorkspaceClient], None] = lambda _: None
) -> Journey:
    """The user journey on this stack, with what the user sees of it afterwards."""
    with stack.sign_in() as keel:
        made = ml_journey(keel, stack.home.parent / "artifact-store", onboard)
        assert_journey_recorded(keel, made)
    return made


async def assert_landed_as_documented(stack: DevStack, made: Journey) -> None:
    """What every scenario's "Where data lives" table says of the journey's data: ML
    metadata in `keel_metadata`, which knows the artifacts by URI only; the secret's value
    in no control-plane database, no Kafka record and no log, in any form."""
    metadata = Database(stack.database_url("keel_metadata"), pool_size=1)
    try:
        async with metadata.engine.connect() as connection:
            uris = await connection.scalars(
                text("SELECT uri FROM artifact_versions WHERE workspace_id = :w"),
                {"w": made.workspace_id},
            )
            assert sorted(uris) == sorted(made.artifact_uris)
            stage = await connection.scalar(
                text("SELECT stage FROM model_versions WHERE id = :id"),
                {"id": made.model_version.id},
            )
            assert stage == "production"
    finally:
        await metadata.close()
    for database in ("keel_auth", "keel_secrets", "keel_metadata"):
        found = [made.secret_value, made.artifact_marker]
        assert await assert_absent_from_database(stack.database_url(database), found) > 0
    assert await assert_absent_from_kafka(stack.bus(), [made.secret_value]) > 0
    forms = encoded_forms(made.secret_value)
    logs = sorted(stack.home.rglob("*.log"))
    assert logs
    for log in logs:
        content = log.read_bytes()
        assert not [f for f in forms if f in content], f"the value leaked into {log}"


async def test_saas_journey_keeps_values_encrypted_in_the_control_plane(
    stack_env: dict[str, str],
) -> None:
    """Scenario 1: the secret's value is in `keel_secrets`, as ciphertext only."""
    with running("saas", stack_env) as stack:
        made = journey(stack)
        await assert_landed_as_documented(stack, made)
        secrets = Database(stack.database_url("keel_secrets"), pool_size=1)
        try:
            async with secrets.engine.connect() as connection:
                stored = await connection.execute(
                    text(
                        "SELECT s.backend, length(v.ciphertext) FROM secrets s "
                        "JOIN secret_values v ON v.secret_id = s.id WHERE s.id = :id"
                    ),
                    {"id": made.secret_id},
                )
                [(backend, size)] = stored.all()
        finally:
            await secrets.close()
        assert backend == "sql" and size > len(made.secret_value)


async def test_hybrid_journey_keeps_values_in_the_customers_openbao(
    stack_env: dict[str, str],
) -> None:
    """Scenario 2: the stack onboards workspace `customer` with its relay at start-up; the
    journey's new workspace is onboarded the same way (a relay registered, run on the
    customer's side, chosen as the backend), and its value is in the customer's OpenBao
    and nowhere on the control plane."""
    with running("hybrid", stack_env) as stack:
        assert any("Customer: workspace `customer`" in line for line in stack.printed)
        registration = json.loads((stack.home / "customer" / "registration.json").read_text())
        with stack.sign_in() as keel:
            customer = keel.workspace(registration["workspace_id"]).secrets.backend()
        assert (customer.kind, str(customer.relay_id)) == ("relay", registration["relay_id"])

        relays: list[ManagedProcess] = []
        try:
            made = journey(stack, lambda workspace: relays.append(run_relay(stack, workspace)))
            assert stack.vault_kv("customer/openbao", "keel/journey/warehouse/db") == {
                "PASSWORD": made.secret_value
            }
            await assert_landed_as_documented(stack, made)
        finally:
            for relay in relays:
                relay.stop()


def run_relay(stack: DevStack, workspace: WorkspaceClient) -> ManagedProcess:
    """Scenario 2's onboarding, as docs/scenario-2-hybrid.md tells it: register a relay,
    run it inside the customer's network with a token bound to the relay policy, and move
    the workspace onto it."""
    registered = workspace.relays.register("journey-relay")
    customer = stack.home / "customer"
    vault_port = stack.port("CUSTOMER_OPENBAO")
    relay = ManagedProcess(
        name="journey-relay",
        argv=[str(Path(sys.executable).parent / "keel-relay")],
        log_path=customer / "journey-relay.log",
        env={
            "KEEL_RELAY_ENROLLMENT": registered.enrollment,
            "KEEL_RELAY_STATE_DIR": str(customer / "journey-relay-state"),
            "KEEL_RELAY_VAULT_ADDRESS": f"http://127.0.0.1:{vault_port}",
            "KEEL_RELAY_VAULT_TOKEN": relay_token(customer / "openbao", vault_port),
            "KEEL_RELAY_VAULT_PATH_PREFIX": "keel/journey",
            "KEEL_RELAY_HTTP_PORT": str(free_port()),
            "KEEL_RELAY_INSTANCE": "journey-1",
            "KEEL_RELAY_AUDIT_LOG": str(customer / "journey-relay-audit.log"),
            "KEEL_KAFKA_BOOTSTRAP": f"127.0.0.1:{stack.port('KAFKA')}",
            "KEEL_KAFKA_PROFILE": "tansu",
        },
    )
    relay.start()
    relay_id = registered.relay.id
    relay.wait_ready(lambda: workspace.relays.get(relay_id).status == "online", 60)
    workspace.secrets.use_backend("relay", relay_id=relay_id)
    return relay


def relay_token(vault_home: Path, port: int) -> str:
    vault = OpenBao(vault_home, port, name="customer-openbao")
    return least_privilege_token(vault)


async def test_onprem_journey_stays_on_the_customers_side(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    """Scenario 3: values in the deployment's own OpenBao, and no component contacts
    anything off this machine, from start-up to shutdown: every socket of every process
    of the stack, sampled from the kernel, is on loopback, and so is every bind, connect,
    send and name lookup the Python processes make."""
    audit_log = tmp_path / "egress.jsonl"
    pythonpath = os.pathsep.join(filter(None, [str(AUDIT_HOOK_DIR), os.environ.get("PYTHONPATH")]))
    env = {**stack_env, "PYTHONPATH": pythonpath, "KEEL_TEST_EGRESS_LOG": str(audit_log)}
    with running("onprem", env) as stack:
        made = journey(stack)
        path = f"keel/{made.workspace_id}/warehouse/db"
        assert stack.vault_kv("openbao", path) == {"PASSWORD": made.secret_value}
        await assert_landed_as_documented(stack, made)
        sockets = stack.sockets

    assert sockets.samples > 10
    # The sampler saw the components talk (so it was looking), and only on loopback.
    assert {"postgres", "bao"} <= sockets.processes, sockets.processes
    assert {e.port for e in sockets.remote} >= {stack.port("POSTGRES"), stack.port("KAFKA")}
    assert sockets.outside() == []
    calls = audited_calls(audit_log)
    assert {c["event"] for c in calls} >= {"socket.connect", "socket.bind"}
    assert len({c["pid"] for c in calls}) >= 4  # the CLI and the services
    assert [c for c in calls if not is_local(c["host"])] == []

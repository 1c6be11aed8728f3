"""Keel's three deployments (docs/scenario-*.md) on one machine: `keel dev up --scenario`.

saas    Scenario 1. The control plane alone; values envelope-encrypted in Postgres (`sql`).
        It has no Vault, so the stack starts no OpenBao.
hybrid  Scenario 2. The same control plane, plus the customer's side: a second OpenBao as
        the customer's Vault and a `keel-relay` process holding a token bound to
        infra/openbao/relay-policy.hcl. The relay reaches the control plane only through
        Kafka, and the workspace `customer` keeps its values in that OpenBao.
onprem  Scenario 3. Everything on the customer's side: the `vault` backend on the stack's
        own OpenBao for every workspace.

Without a scenario the stack is the developer's: `sql` by default, the stack's OpenBao there
for workspaces that choose `vault`.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from keel_devstack.openbao import OpenBao
from keel_devstack.process import ComponentError, ManagedProcess, require_free_port

Scenario = Literal["saas", "hybrid", "onprem"]
SCENARIOS: tuple[Scenario, ...] = get_args(Scenario)

_RELAY_POLICY = Path("infra/openbao/relay-policy.hcl")
CUSTOMER_WORKSPACE = "customer"
RELAY_INSTANCE = "relay-1"


def has_control_plane_vault(scenario: Scenario | None) -> bool:
    """Scenarios 1 and 2 run no Vault beside the control plane."""
    return scenario not in ("saas", "hybrid")


def secrets_env(scenario: Scenario | None) -> dict[str, str]:
    """What the secrets service is told, beyond where the infrastructure is."""
    if scenario is None:
        return {}
    return {"KEEL_SECRETS_DEFAULT_BACKEND": "vault" if scenario == "onprem" else "sql"}


@dataclass
class Registration:
    """The customer's workspace and its relay, as the control plane knows them; kept so a
    restart reuses them (the relay's keys stay in its state directory)."""

    workspace_id: str
    relay_id: str

    @staticmethod
    def path(home: Path) -> Path:
        return home / "registration.json"

    @classmethod
    def load(cls, home: Path) -> Registration | None:
        try:
            return cls(**json.loads(cls.path(home).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, home: Path) -> None:
        self.path(home).write_text(json.dumps(asdict(self), indent=2))


class CustomerSide:
    """Scenario 2's customer network: its own OpenBao and one relay replica."""

    def __init__(self, home: Path, repo: Path, vault_port: int, relay_port: int) -> None:
        self.home = home
        self.repo = repo
        self.relay_port = relay_port
        self.vault = OpenBao(home / "openbao", vault_port, name="customer-openbao")
        self.relay: ManagedProcess | None = None
        self.registration: Registration | None = None

    def check_ports(self) -> None:
        require_free_port("OpenBao (the customer's)", self.vault.port)
        require_free_port("the relay", self.relay_port)

    def start(self, gateway_url: str, admin: tuple[str, str], kafka_env: dict[str, str]) -> None:
        """Start the customer's OpenBao, register a relay for the `customer` workspace
        (once), run it, and move that workspace onto the relay backend."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.vault.start()
        api = _Api(gateway_url, *admin)
        registration = Registration.load(self.home)
        enrollment: str | None = None
        if registration is None:
            workspace = api.call(
                "POST",
                "/workspaces",
                {"name": "Customer (Scenario 2)", "slug": CUSTOMER_WORKSPACE},
            )
            registered = api.call(
                "POST", f"/workspaces/{workspace['id']}/relays", {"name": "customer-relay"}
            )
            registration = Registration(workspace["id"], registered["relay"]["id"])
            enrollment = registered["enrollment"]
        self.relay = ManagedProcess(
            name="relay",
            argv=[sys.executable, "-m", "keel_secrets.relay_agent"],
            log_path=self.home / "relay.log",
            env=self._relay_env(enrollment, kafka_env),
        )
        self.relay.start()
        relay_url = f"/workspaces/{registration.workspace_id}/relays/{registration.relay_id}"
        self.relay.wait_ready(lambda: api.call("GET", relay_url)["status"] == "online", 60)
        # Saved only once the relay enrolled: a failed first start registers afresh.
        registration.save(self.home)
        self.registration = registration
        api.call(
            "PUT",
            f"/workspaces/{registration.workspace_id}/secrets-backend",
            {"kind": "relay", "relay_id": registration.relay_id},
        )

    def stop(self) -> None:
        if self.relay is not None:
            self.relay.stop()
            self.relay = None
        self.vault.stop()

    def processes(self) -> list[ManagedProcess]:
        return [p for p in (self.relay, self.vault.process) if p is not None]

    def _relay_env(self, enrollment: str | None, kafka_env: dict[str, str]) -> dict[str, str]:
        env = {
            "KEEL_RELAY_STATE_DIR": str(self.home / "relay-state"),
            "KEEL_RELAY_VAULT_ADDRESS": self.vault.address,
            "KEEL_RELAY_VAULT_TOKEN": self._relay_token(),
            "KEEL_RELAY_HTTP_PORT": str(self.relay_port),
            "KEEL_RELAY_INSTANCE": RELAY_INSTANCE,
            "KEEL_RELAY_AUDIT_LOG": str(self.home / "relay-audit.log"),
            **kafka_env,
        }
        if enrollment is not None:
            env["KEEL_RELAY_ENROLLMENT"] = enrollment
        return env

    def _relay_token(self) -> str:
        """A token bound to infra/openbao/relay-policy.hcl, as the customer's operator
        issues one (infra/openbao/README.md); the relay renews it."""
        policy = (self.repo / _RELAY_POLICY).read_text()
        root = self.vault.root_token()
        _vault(
            self.vault.address, root, "PUT", "/v1/sys/policies/acl/keel-relay", {"policy": policy}
        )
        created = _vault(
            self.vault.address,
            root,
            "POST",
            "/v1/auth/token/create",
            {"policies": ["keel-relay"], "ttl": "24h", "renewable": True, "no_parent": True},
        )
        token: str = created["auth"]["client_token"]
        return token


class _Api:
    """The gateway's API as the bootstrap administrator."""

    def __init__(self, gateway_url: str, email: str, password: str) -> None:
        self.base = f"{gateway_url}/api/v1"
        tokens = _json_request(
            "POST", f"{self.base}/auth/login", {"email": email, "password": password}, {}
        )
        self.headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return _json_request(method, f"{self.base}{path}", body, self.headers)


def _vault(address: str, token: str, method: str, path: str, body: dict[str, Any]) -> Any:
    return _json_request(method, f"{address}{path}", body, {"X-Vault-Token": token})


def _json_request(
    method: str, url: str, body: dict[str, Any] | None, headers: dict[str, str]
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        raise ComponentError(
            f"{method} {url} answered {exc.code}: {exc.read()[:500].decode(errors='replace')}"
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        raise ComponentError(f"{method} {url} failed: {exc}") from None
    return json.loads(raw) if raw.strip() else None

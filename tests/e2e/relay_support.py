"""Scenario 2 on one machine: a second OpenBao as the customer's Vault, and relay agents as
real `keel-relay` processes that reach the control plane only through Kafka."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import hvac

from keel_devstack.openbao import OpenBao
from keel_devstack.process import ManagedProcess, free_port
from tests.conftest import REPO
from tests.e2e.conftest import RunningServices

RELAY_POLICY = REPO / "infra" / "openbao" / "relay-policy.hcl"
PATH_PREFIX = "keel/ml-prod"


def customer_vault(home: Path) -> OpenBao:
    vault = OpenBao(home / "customer-openbao", free_port(), name="customer-openbao")
    vault.start()
    return vault


def least_privilege_token(vault: OpenBao) -> str:
    """A token bound to infra/openbao/relay-policy.hcl, as an operator would issue one."""
    root = hvac.Client(url=vault.address, token=vault.root_token())
    root.sys.create_or_update_policy("keel-relay", RELAY_POLICY.read_text())
    created = root.auth.token.create(policies=["keel-relay"], ttl="2h", renewable=True)
    token: str = created["auth"]["client_token"]
    return token


@dataclass
class Relay:
    """One relay (as the control plane knows it) and its replica processes."""

    services: RunningServices
    workspace: str
    headers: dict[str, str]
    relay_id: str
    enrollment: str
    vault: OpenBao
    token: str
    home: Path
    policy_file: Path | None = None
    replicas: dict[str, ManagedProcess] = field(default_factory=dict)
    http_ports: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return (
            f"{self.services.gateway_url}/api/v1/workspaces/{self.workspace}/relays/{self.relay_id}"
        )

    def audit_log(self, instance: str) -> list[dict[str, Any]]:
        path = self.home / f"audit-{instance}.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def start_replica(self, instance: str, *, config_file: bool = False) -> ManagedProcess:
        """A `keel-relay` process configured by environment, or by one TOML file."""
        port = free_port()
        self.http_ports[instance] = port
        relay = {
            "state_dir": str(self.home / "state"),
            "enrollment": self.enrollment,
            "vault_address": self.vault.address,
            "vault_token": self.token,
            "vault_path_prefix": PATH_PREFIX,
            "http_port": port,
            "instance": instance,
            "audit_log": str(self.home / f"audit-{instance}.log"),
            "heartbeat_interval_s": 0.5,
            **({"policy_file": str(self.policy_file)} if self.policy_file else {}),
        }
        kafka = {
            "bootstrap": self.services.infra.kafka.bootstrap,
            "profile": self.services.infra.broker_profile,
        }
        argv = [str(Path(sys.executable).parent / "keel-relay")]  # what the image runs
        env: dict[str, str] = {}
        if config_file:
            path = self.home / f"relay-{instance}.toml"
            lines = [f"{k} = {json.dumps(v)}" for k, v in relay.items()]
            lines += ["[kafka]", *(f"{k} = {json.dumps(v)}" for k, v in kafka.items())]
            path.write_text("\n".join(lines) + "\n")
            argv += ["--config", str(path)]
        else:
            env = {f"KEEL_RELAY_{k.upper()}": str(v) for k, v in relay.items()}
            env |= {f"KEEL_KAFKA_{k.upper()}": v for k, v in kafka.items()}
        process = ManagedProcess(
            name=f"relay-{instance}",
            argv=argv,
            log_path=self.home / f"relay-{instance}.log",
            env=env,
        )
        process.start()
        self.replicas[instance] = process
        return process

    def http(self, instance: str, path: str) -> httpx.Response:
        return httpx.get(f"http://127.0.0.1:{self.http_ports[instance]}{path}", timeout=5)

    def kill(self, instance: str) -> None:
        """SIGKILL: no goodbye to the consumer group, no last heartbeat."""
        process = self.replicas.pop(instance)
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.stop()

    def status(self) -> dict[str, Any]:
        response = httpx.get(self.url, headers=self.headers, timeout=10)
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        return view

    def wait_online(self, instances: set[str], timeout: float = 60) -> None:
        """Until each named replica heartbeats and holds at least one partition."""
        deadline = time.monotonic() + timeout
        view: dict[str, Any] = {}
        while time.monotonic() < deadline:
            view = self.status()
            live = {i["instance"] for i in view["instances"] if i["online"]}
            if view["status"] == "online" and instances <= live:
                return
            time.sleep(0.2)
        raise AssertionError(f"relay not online with {instances}: {view}")

    def stop(self) -> None:
        for process in self.replicas.values():
            process.stop()


def register_relay(
    services: RunningServices, workspace: str, headers: dict[str, str]
) -> tuple[str, str]:
    url = f"{services.gateway_url}/api/v1/workspaces/{workspace}/relays"
    response = httpx.post(url, json={"name": f"relay-{uuid.uuid4().hex[:6]}"}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["relay"]["status"] == "pending"
    return body["relay"]["id"], body["enrollment"]

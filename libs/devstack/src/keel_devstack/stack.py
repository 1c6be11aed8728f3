"""The whole embedded stack: infrastructure, then the four services, stopped in reverse.

Used by `keel dev up|down|status` and by the test fixtures, so what a developer runs is
what the tests run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from keel_devstack.apache_kafka import ApacheKafka, repo_root
from keel_devstack.credentials import StackCredentials
from keel_devstack.openbao import OpenBao
from keel_devstack.postgres import EmbeddedPostgres
from keel_devstack.process import ComponentError, ManagedProcess, require_free_port
from keel_devstack.scenarios import (
    CustomerSide,
    Scenario,
    has_control_plane_vault,
    secrets_env,
)
from keel_devstack.tansu import Tansu

# Told of each start-up step as it completes, e.g. "PostgreSQL ready (1.9 s)".
Progress = Callable[[str], None]


class _Timer:
    def __init__(self) -> None:
        self._last = time.monotonic()

    def lap(self) -> str:
        now = time.monotonic()
        took, self._last = now - self._last, now
        return f" ({took:.1f} s)"


SERVICES = ("auth", "secrets", "metadata")
BrokerProfile = Literal["tansu", "kafka"]


class StackSettings(BaseSettings):
    """Ports and place of the local stack (env prefix `KEEL_DEV_`)."""

    model_config = SettingsConfigDict(env_prefix="KEEL_DEV_", extra="ignore")

    home: Path = Field(default_factory=lambda: Path.cwd() / ".keel")
    gateway_port: int = 8080
    postgres_port: int = 15432
    kafka_port: int = 19092
    # Apache Kafka only (broker profile `kafka`): the SASL/SCRAM listener, where ACLs apply.
    kafka_sasl_port: int = 19094
    openbao_port: int = 18200
    # One of the three deployments (keel_devstack.scenarios); none: the developer's stack.
    scenario: Scenario | None = None
    # Scenario 2's customer side: its OpenBao and the relay's health endpoint.
    customer_openbao_port: int = 18201
    relay_port: int = 18090


@dataclass
class StackState:
    """What `keel dev status|down` read back: written once the stack is up."""

    supervisor_pid: int
    gateway_url: str
    pids: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def path(home: Path) -> Path:
        return home / "stack.json"

    def save(self, home: Path) -> None:
        self.path(home).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, home: Path) -> StackState | None:
        try:
            return cls(**json.loads(cls.path(home).read_text()))
        except (OSError, ValueError, TypeError):
            return None


class Infrastructure:
    """Postgres, a Kafka broker and OpenBao: what the services need before they start.

    The broker is Tansu by default; `broker="kafka"` runs real Apache Kafka instead.
    """

    def __init__(self, settings: StackSettings, broker: BrokerProfile = "tansu") -> None:
        home = settings.home
        self.broker_profile = broker
        self.scenario = settings.scenario
        self.has_vault = has_control_plane_vault(settings.scenario)
        self.postgres = EmbeddedPostgres(home / "postgres", settings.postgres_port)
        self.kafka: Tansu | ApacheKafka = (
            Tansu(home / "tansu", settings.kafka_port)
            if broker == "tansu"
            else ApacheKafka(
                home / "apache-kafka", settings.kafka_port, sasl_port=settings.kafka_sasl_port
            )
        )
        self.openbao = OpenBao(home / "openbao", settings.openbao_port)
        self.credentials = StackCredentials.load_or_create(home)
        # Files logged through the MLflow-compatible API (the gateway streams them here).
        self.artifacts = home / "artifacts"

    def start(self, progress: Progress = lambda _: None) -> None:
        """Start Postgres, the broker and (if the stack has one) OpenBao; `progress` hears
        of each step as it completes."""
        timer = _Timer()
        self.postgres.start()
        progress(f"PostgreSQL ready{timer.lap()}")
        self.kafka.start()
        progress(f"Kafka broker ready{timer.lap()}")
        if self.has_vault:
            self.openbao.start()
            progress(f"OpenBao ready{timer.lap()}")
        for service in SERVICES:
            self.postgres.create_database(f"keel_{service}")

    def stop(self) -> None:
        for component in (self.openbao, self.kafka, self.postgres):
            component.stop()

    def service_env(self, gateway_url: str) -> dict[str, str]:
        """The environment that points Keel's services at this infrastructure."""
        env = {
            **self.credentials.service_env(),
            # Tokens name the gateway as their issuer; both sides must agree.
            "KEEL_AUTH_ISSUER": gateway_url,
            "KEEL_GATEWAY_ISSUER": gateway_url,
            **self.kafka_env(),
            "KEEL_GATEWAY_ARTIFACT_ROOT": str(self.artifacts),
            **secrets_env(self.scenario),
        }
        if self.has_vault:
            # The stack's OpenBao backs workspaces on the `vault` backend. Dev mode: the
            # root token; a real deployment gives the service a policy-bound AppRole.
            env["KEEL_SECRETS_VAULT_ADDRESS"] = self.openbao.address
            env["KEEL_SECRETS_VAULT_TOKEN"] = self.openbao.root_token()
        for service in SERVICES:
            env[f"KEEL_{service.upper()}_DATABASE_URL"] = self.postgres.url(f"keel_{service}")
        return env

    def kafka_env(self) -> dict[str, str]:
        return {
            "KEEL_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "KEEL_KAFKA_PROFILE": self.broker_profile,
        }


def service_process(service: str, home: Path, env: dict[str, str]) -> ManagedProcess:
    return ManagedProcess(
        name=service,
        argv=[sys.executable, "-m", f"keel_{service}"],
        log_path=home / "logs" / f"{service}.log",
        env=env,
    )


def gateway_healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v1/health", timeout=3) as response:
            return bool(json.load(response).get("status") == "ok")
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Stack:
    def __init__(self, settings: StackSettings | None = None) -> None:
        self.settings = settings or StackSettings()
        self.home = self.settings.home
        self.infra = Infrastructure(self.settings)
        self.services: list[ManagedProcess] = []
        self.customer = (
            CustomerSide(
                self.home / "customer",
                repo_root(),
                self.settings.customer_openbao_port,
                self.settings.relay_port,
            )
            if self.settings.scenario == "hybrid"
            else None
        )

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.gateway_port}"

    def check_ports(self) -> None:
        """Refuse early, naming the port, instead of failing halfway through start-up."""
        ports = [
            ("PostgreSQL", self.settings.postgres_port),
            ("Tansu (Kafka broker)", self.settings.kafka_port),
            ("the gateway", self.settings.gateway_port),
        ]
        if self.infra.has_vault:
            ports.append(("OpenBao", self.settings.openbao_port))
        for name, port in ports:
            require_free_port(name, port)
        if self.customer is not None:
            self.customer.check_ports()

    def start(self, progress: Progress = lambda _: None) -> None:
        """Start everything; `progress` hears of each step as it completes (start-up takes
        tens of seconds, a person at a terminal should see it move)."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.check_ports()
        self.infra.start(progress)
        timer = _Timer()
        env = {
            **self.infra.service_env(self.gateway_url),
            "KEEL_GATEWAY_PORT": str(self.settings.gateway_port),
        }
        for service in (*SERVICES, "gateway"):
            process = service_process(service, self.home, env)
            process.start()
            self.services.append(process)
        progress(f"services started ({', '.join(SERVICES)}, gateway); waiting for them to answer")
        gateway = self.services[-1]
        gateway.wait_ready(self._all_healthy, timeout=90)
        progress(f"every service answers{timer.lap()}")
        customer: list[ManagedProcess] = []
        if self.customer is not None:
            credentials = self.infra.credentials
            self.customer.start(
                self.gateway_url,
                (credentials.admin_email, credentials.admin_password),
                self.infra.kafka_env(),
            )
            customer = self.customer.processes()
            progress(f"customer side ready: its OpenBao and relay{timer.lap()}")
        infra = (self.infra.postgres.process, self.infra.kafka.process, self.infra.openbao.process)
        StackState(
            supervisor_pid=os.getpid(),
            gateway_url=self.gateway_url,
            pids={
                p.name: p.pid
                for p in (*customer, *self.services, *infra)
                if p is not None and p.pid is not None
            },
        ).save(self.home)

    def _all_healthy(self) -> bool:
        for process in self.services:
            if not process.running():
                raise ComponentError(
                    f"the {process.name} service exited during start-up; "
                    f"its log is {process.log_path}:\n{process.log_tail()}"
                )
        return gateway_healthy(self.gateway_url)

    def stop(self) -> None:
        if self.customer is not None:
            self.customer.stop()
        for process in reversed(self.services):
            process.stop()
        self.infra.stop()
        StackState.path(self.home).unlink(missing_ok=True)

    @contextmanager
    def running(self) -> Iterator[Stack]:
        try:
            self.start()
            yield self
        finally:
            self.stop()


def wait_for_signal() -> None:
    """Block until Ctrl-C or SIGTERM (what `keel dev down` sends)."""
    stop = False

    def request_stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stop:
        time.sleep(0.2)


def stop_running_stack(home: Path, timeout: float = 60) -> bool:
    """Ask the supervisor of a running stack to stop; False if none is running."""
    state = StackState.load(home)
    if state is None:
        return False
    with suppress(ProcessLookupError):
        os.kill(state.supervisor_pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and StackState.path(home).exists():
        time.sleep(0.2)
    if StackState.path(home).exists():
        # The supervisor is gone or stuck: stop what it left behind directly.
        for pid in state.pids.values():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        StackState.path(home).unlink(missing_ok=True)
    return True


__all__ = ["ComponentError", "Stack", "StackSettings", "StackState", "stop_running_stack"]

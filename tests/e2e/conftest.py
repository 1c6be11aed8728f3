"""The four services as real processes against the session's infrastructure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from keel_devstack.process import ManagedProcess, free_port
from keel_devstack.stack import SERVICES, Infrastructure, gateway_healthy, service_process


@dataclass
class RunningServices:
    infra: Infrastructure
    gateway_url: str
    processes: dict[str, ManagedProcess]
    env: dict[str, str]

    def restart(self, name: str) -> ManagedProcess:
        process = service_process(name, self.infra.postgres.home.parent, self.env)
        process.start()
        self.processes[name] = process
        return process


@pytest.fixture(scope="session")
def services(infra: Infrastructure) -> Iterator[RunningServices]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **infra.service_env(url),
        "KEEL_GATEWAY_PORT": str(port),
        "KEEL_GATEWAY_HEALTH_TIMEOUT_S": "1",
        # Tests that change permissions must see the change at once.
        "KEEL_GATEWAY_PERMISSION_CACHE_TTL_S": "0",
        # Every test signs in from 127.0.0.1; the limit itself is tested on its own.
        "KEEL_GATEWAY_SIGN_IN_PER_MINUTE": "100000",
        # Relays heartbeat every 0.5 s in the tests; show a dead one as offline soon.
        "KEEL_SECRETS_RELAY_OFFLINE_AFTER_S": "3",
    }
    running = RunningServices(infra, url, {}, env)
    for name in (*SERVICES, "gateway"):
        running.restart(name)
    try:
        running.processes["gateway"].wait_ready(lambda: gateway_healthy(running.gateway_url), 90)
        yield running
    finally:
        for process in running.processes.values():
            process.stop()


@pytest.fixture
def workspace(services: RunningServices) -> str:
    """A fresh workspace of the bootstrap admin's."""
    from tests.e2e.auth_support import admin, new_workspace  # it imports this module

    return new_workspace(services, admin(services))


@pytest.fixture
def admin_token(services: RunningServices) -> str:
    """The bootstrap admin's access token."""
    from tests.e2e.auth_support import admin_tokens

    return admin_tokens(services)["access_token"]


@contextmanager
def another_gateway(
    services: RunningServices, name: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Another gateway process on the same services, as a load balancer would see it (the
    same issuer: tokens name the public address, not an instance), with `env` on top of
    the first one's settings; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = ManagedProcess(
        name=name,
        argv=services.processes["gateway"].argv,
        log_path=services.infra.postgres.home.parent / "logs" / f"{name}.log",
        env={**services.env, **(env or {}), "KEEL_GATEWAY_PORT": str(port)},
    )
    process.start()
    try:
        process.wait_ready(lambda: gateway_healthy(url), 90)
        yield url
    finally:
        process.stop()

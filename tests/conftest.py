"""Session fixtures: real Postgres, a real Kafka-protocol broker and a real OpenBao.

The broker is Tansu unless `KEEL_TEST_BROKER=kafka`, which runs Apache Kafka 4 (KRaft)
from Maven Central jars; `make test-kafka` does that for the tests marked `broker`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from keel_common.db.database import Database
from keel_common.logging import configure_logging
from keel_common.settings import BusSettings, LogSettings
from keel_devstack.process import free_port
from keel_devstack.stack import BrokerProfile, Infrastructure, StackSettings
from tests.support.database import migrated_database

REPO = Path(__file__).resolve().parents[1]
TEST_MIGRATIONS = Path(__file__).parent / "support" / "migrations"


def _broker_profile() -> BrokerProfile:
    broker = os.environ.get("KEEL_TEST_BROKER", "tansu")
    if broker not in ("tansu", "kafka"):
        raise pytest.UsageError(f"KEEL_TEST_BROKER must be tansu or kafka, not {broker!r}")
    return "kafka" if broker == "kafka" else "tansu"


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    configure_logging("tests", LogSettings(format="console"))
    settings = StackSettings(
        home=tmp_path_factory.mktemp("keel"),
        gateway_port=free_port(),
        postgres_port=free_port(),
        kafka_port=free_port(),
        kafka_sasl_port=free_port(),
        openbao_port=free_port(),
    )
    stack = Infrastructure(settings, broker=_broker_profile())
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def bus_settings(infra: Infrastructure) -> BusSettings:
    return BusSettings(
        bootstrap=infra.kafka.bootstrap,
        profile=infra.broker_profile,
        retry_backoff_s=0.05,
        rpc_timeout_s=5.0,
    )


@pytest.fixture
async def fabric_db(infra: Infrastructure) -> AsyncIterator[tuple[Database, str]]:
    """A fresh database with the fabric tables and the test `effects` table, migrated by
    Alembic; yields the handle and its URL (for subprocesses)."""
    async with migrated_database(infra, TEST_MIGRATIONS, "fabric", pool_size=5) as (db, url):
        yield db, url


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real OpenID Connect provider process (`oidc-provider-mock`); yields its issuer."""
    yield from _oidc_provider(tmp_path_factory.mktemp("idp"))


@pytest.fixture(scope="session")
def short_lived_oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same provider, issuing tokens that expire after one second."""
    yield from _oidc_provider(tmp_path_factory.mktemp("idp-short"), "--token-max-age", "1")


def _oidc_provider(home: Path, *args: str) -> Iterator[str]:
    import sys
    import urllib.request

    from keel_devstack.process import ManagedProcess

    port = free_port()
    process = ManagedProcess(
        name="oidc-provider",
        argv=[str(Path(sys.executable).parent / "oidc-provider-mock"), "--port", str(port), *args],
        log_path=home / "idp.log",
    )
    issuer = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1):
                return True
        except OSError:
            return False

    process.start()
    try:
        process.wait_ready(ready, timeout=30)
        yield issuer
    finally:
        process.stop()

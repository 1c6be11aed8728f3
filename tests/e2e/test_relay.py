"""Scenario 2 end to end: the customer's OpenBao keeps every value, the relay is the only
way to it, and nothing on the control plane's side ever holds a value in the clear."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta

import httpx
import hvac
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keel_common.bus.broker import make_broker
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.topics import events_topic
from keel_common.contracts.base import Envelope, utcnow
from keel_common.contracts.relay import (
    RelayCommand,
    RelayOutcome,
    SignedRelayReply,
    SignedRelayRequest,
    relay_service,
)
from keel_common.crypto import signing
from keel_common.db.database import Database
from keel_common.settings import BusSettings
from keel_secrets.keys.keyring import KeyRing
from keel_secrets.keys.service import ServiceKeys
from keel_secrets.relays.models import Relay as RelayRow
from tests.e2e.auth_support import admin, new_workspace
from tests.e2e.conftest import RunningServices
from tests.e2e.relay_support import (
    PATH_PREFIX,
    Relay,
    customer_vault,
    least_privilege_token,
    register_relay,
)
from tests.e2e.secrets_support import (
    create_secret,
    member,
    read_values,
    secrets_url,
    set_backend,
)
from tests.support.database import assert_absent_from_database
from tests.support.kafka import assert_absent_from_kafka, encoded_forms, read_records

pytestmark = [pytest.mark.broker, pytest.mark.timeout(300)]

POLICY = """
read_only = false
operations = ["read", "write", "delete"]
path_prefixes = ["keel/ml-prod/app/", "keel/ml-prod/db/"]
"""


@pytest.fixture(scope="module")
def site(services: RunningServices, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Relay]:
    """A workspace on the relay backend, served by one relay replica (`a`)."""
    home = tmp_path_factory.mktemp("customer")
    vault = customer_vault(home)
    headers = admin(services)
    workspace = new_workspace(services, headers)
    relay_id, enrollment = register_relay(services, workspace, headers)
    policy = home / "policy.toml"
    policy.write_text(POLICY)
    relay = Relay(
        services,
        workspace,
        headers,
        relay_id,
        enrollment,
        vault,
        least_privilege_token(vault),
        home,
        policy,
    )
    try:
        relay.start_replica("a")
        relay.wait_online({"a"})
        set_backend(services, workspace, headers, {"kind": "relay", "relay_id": relay_id})
        yield relay
    finally:
        relay.stop()
        vault.stop()


def _customer(site: Relay) -> hvac.Client:
    return hvac.Client(url=site.vault.address, token=site.vault.root_token())


async def test_values_live_only_in_the_customer_vault(
    site: Relay, services: RunningServices, bus_settings: BusSettings
) -> None:
    value, newer = f"s2-{uuid.uuid4().hex}", f"s2-newer-{uuid.uuid4().hex}"
    created = create_secret(
        services, site.workspace, site.headers, {"api_key": value}, name="app/payments"
    )
    assert created["backend"] == "relay"

    stored = _customer(site).secrets.kv.v2.read_secret_version(
        f"{PATH_PREFIX}/app/payments", mount_point="secret", raise_on_deleted_version=True
    )
    assert stored["data"]["data"] == {"api_key": value}
    revealed = read_values(services, site.workspace, site.headers, created["id"])
    assert revealed.status_code == 200, revealed.text
    assert revealed.json()["values"] == {"api_key": value}

    updated = httpx.put(
        f"{secrets_url(services, site.workspace)}/{created['id']}",
        json={"values": {"api_key": newer}},
        headers=site.headers,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    assert read_values(services, site.workspace, site.headers, created["id"], 1).json()[
        "values"
    ] == {"api_key": value}

    # The control plane's own OpenBao never saw it.
    control_plane = hvac.Client(
        url=services.infra.openbao.address, token=services.infra.openbao.root_token()
    )
    with pytest.raises(hvac.exceptions.InvalidPath):
        control_plane.secrets.kv.v2.read_secret_version(
            f"keel/{site.workspace}/app/payments",
            mount_point="secret",
            raise_on_deleted_version=True,
        )
    # Neither do its databases, its Kafka topics, or its services' logs.
    for database in ("keel_auth", "keel_secrets", "keel_metadata"):
        await assert_absent_from_database(services.infra.postgres.url(database), [value, newer])
    assert await assert_absent_from_kafka(bus_settings, [value, newer]) > 0
    logs = sorted((services.infra.postgres.home.parent / "logs").glob("*.log"))
    assert logs
    forms = [f for v in (value, newer) for f in encoded_forms(v)]
    for log in [*logs, *site.home.glob("*.log")]:
        content = log.read_bytes()
        assert not [f for f in forms if f in content], f"a value leaked into {log.name}"

    deleted = httpx.delete(
        f"{secrets_url(services, site.workspace)}/{created['id']}", headers=site.headers
    )
    assert deleted.status_code == 204
    with pytest.raises(hvac.exceptions.InvalidPath):
        _customer(site).secrets.kv.v2.read_secret_version(
            f"{PATH_PREFIX}/app/payments", mount_point="secret", raise_on_deleted_version=True
        )


async def test_rbac_holds_on_the_relay_backend(site: Relay, services: RunningServices) -> None:
    """Who may read what is decided on the control plane, before any request reaches the
    relay: a viewer gets no values, a private secret is invisible to a colleague, and no
    secret is reachable under another workspace."""
    viewer = await member(services, site.workspace, "viewer")
    owner = await member(services, site.workspace, "developer")
    colleague = await member(services, site.workspace, "developer")
    value, mine = f"rbac-{uuid.uuid4().hex}", f"rbac-private-{uuid.uuid4().hex}"
    shared = create_secret(services, site.workspace, owner, {"k": value}, name="app/rbac-shared")
    private = create_secret(
        services, site.workspace, owner, {"k": mine}, name="app/rbac-private", scope="private"
    )

    refused = read_values(services, site.workspace, viewer, shared["id"])
    assert refused.status_code == 403
    assert "secret:read_secret_value" in refused.json()["detail"]
    assert value not in refused.text
    assert read_values(services, site.workspace, colleague, shared["id"]).json()["values"] == {
        "k": value
    }

    listed = httpx.get(secrets_url(services, site.workspace), headers=colleague).json()["items"]
    assert private["id"] not in [s["id"] for s in listed]
    hidden = read_values(services, site.workspace, colleague, private["id"])
    assert hidden.status_code == 404
    assert mine not in hidden.text
    assert read_values(services, site.workspace, owner, private["id"]).json()["values"] == {
        "k": mine
    }

    elsewhere = new_workspace(services, site.headers)
    assert read_values(services, elsewhere, site.headers, shared["id"]).status_code == 404
    outsider = await member(services, elsewhere, "developer")
    assert read_values(services, site.workspace, outsider, shared["id"]).status_code == 403


@pytest.fixture
async def control_plane(
    services: RunningServices, bus_settings: BusSettings
) -> AsyncIterator[tuple[ServiceKeys, RpcClient]]:
    """This test posing as the control plane: its signing key and an RPC client."""
    keyring = KeyRing.from_text(services.infra.credentials.secrets_key_encryption_key, None)
    keys = ServiceKeys(keyring)
    db = Database(services.infra.postgres.url("keel_secrets"), pool_size=1)
    async with db.transaction() as session:
        await keys.ensure_keys(session)
    await db.close()
    broker = make_broker(bus_settings, client_id="test-control-plane")
    await broker.start()
    rpc = RpcClient(broker, bus_settings, caller="test")
    await rpc.start()
    yield keys, rpc
    await rpc.stop()
    await broker.stop()


async def _relay_verify_key(services: RunningServices, relay_id: str) -> str:
    db = Database(services.infra.postgres.url("keel_secrets"), pool_size=1)
    async with db.transaction() as session:
        row = await session.get(RelayRow, uuid.UUID(relay_id))
    await db.close()
    assert row is not None and row.verify_key is not None
    return row.verify_key


async def test_the_relay_refuses_what_it_cannot_trust(
    site: Relay,
    services: RunningServices,
    bus_settings: BusSettings,
    control_plane: tuple[ServiceKeys, RpcClient],
) -> None:
    keys, rpc = control_plane
    verify_key = signing.verify_key_from_text(await _relay_verify_key(services, site.relay_id))

    def command(**changes: object) -> RelayCommand:
        now = utcnow()
        fields: dict[str, object] = {
            "relay_id": site.relay_id,
            "workspace": site.workspace,
            "operation": "read",
            "name": "app/anything",
            "reply_key": "x" * 44,
            "issued_at": now,
            "expires_at": now + timedelta(seconds=10),
            "nonce": secrets.token_hex(16),
        }
        fields.update(changes)
        return RelayCommand.model_validate(fields)

    def signed(body: RelayCommand, key: Ed25519PrivateKey | None = None) -> SignedRelayRequest:
        text = body.model_dump_json()
        signer = key or keys.loaded.signing
        return SignedRelayRequest(
            key_id=keys.loaded.signing_kid, body=text, signature=signing.sign(text, signer)
        )

    async def refusal(request: SignedRelayRequest) -> str:
        reply = await rpc.call(
            relay_service(uuid.UUID(site.relay_id)), request, SignedRelayReply, partition=0
        )
        signing.verify(reply.body, reply.signature, verify_key)  # replies are signed
        outcome = RelayOutcome.model_validate_json(reply.body)
        assert outcome.problem is not None and outcome.problem.status == 403
        return outcome.problem.detail or ""

    assert "bad signature" in await refusal(signed(command(), Ed25519PrivateKey.generate()))
    earlier = utcnow() - timedelta(seconds=30)
    expired = command(issued_at=earlier, expires_at=earlier + timedelta(seconds=10))
    assert "expired" in await refusal(signed(expired))
    assert "another workspace" in await refusal(signed(command(workspace=uuid.uuid4())))
    assert "the path keel/ml-prod/other/x" in await refusal(signed(command(name="other/x")))
    once = signed(command(name="app/missing"))
    first = await rpc.call(
        relay_service(uuid.UUID(site.relay_id)), once, SignedRelayReply, partition=0
    )
    assert RelayOutcome.model_validate_json(first.body).problem.status == 404  # type: ignore[union-attr]
    assert "replayed" in await refusal(once)

    # Through the gateway, the customer's policy has the last word too; both sides audit.
    outside = httpx.post(
        secrets_url(services, site.workspace),
        headers=site.headers,
        json={"name": "ops/root", "values": {"k": "v"}},
    )
    assert outside.status_code == 403
    assert "relay policy does not allow the path keel/ml-prod/ops/root" in outside.json()["detail"]
    assert (
        httpx.get(
            secrets_url(services, site.workspace), headers=site.headers, params={"prefix": "ops/"}
        ).json()["items"]
        == []
    )

    reasons = [e["reason"] for e in site.audit_log("a") if e["outcome"] == "refused"]
    for expected in (
        "bad signature",
        "expired",
        "for another workspace",
        "replayed",
        "the relay policy does not allow the path keel/ml-prod/other/x",
        "the relay policy does not allow the path keel/ml-prod/ops/root",
    ):
        assert expected in reasons, (expected, reasons)

    def denied_create(records: list) -> bool:  # type: ignore[type-arg]
        return any(_audit(r, "secret.create", "denied") for r in records)

    audit = await read_records(bus_settings, events_topic("audit"), until=denied_create)
    assert denied_create(audit)


def _audit(record: object, action: str, outcome: str) -> bool:
    envelope = Envelope.model_validate_json(record.value)  # type: ignore[attr-defined]
    return envelope.payload.get("action") == action and envelope.payload.get("outcome") == outcome


def test_a_dead_relay_is_a_503_and_a_restarted_one_serves_again(
    site: Relay, services: RunningServices
) -> None:
    created = create_secret(services, site.workspace, site.headers, {"k": "v1"}, name="app/dead")
    assert site.http("a", "/healthz").status_code == 200
    site.kill("a")
    refused = read_values(services, site.workspace, site.headers, created["id"])
    assert refused.status_code == 503, refused.text
    problem = refused.json()
    assert problem["relay_id"] == site.relay_id
    assert problem["last_heartbeat"] is not None
    assert "did not answer" in problem["detail"]
    assert refused.headers["retry-after"]
    _wait_until(lambda: site.status()["status"] == "offline")

    site.start_replica("a")
    site.wait_online({"a"})
    again = read_values(services, site.workspace, site.headers, created["id"])
    assert again.status_code == 200, again.text
    assert again.json()["values"] == {"k": "v1"}


def test_two_replicas_survive_one_dying(site: Relay, services: RunningServices) -> None:
    created = create_secret(services, site.workspace, site.headers, {"k": "ha"}, name="app/ha")
    site.start_replica("b", config_file=True)  # one file instead of environment variables
    site.wait_online({"a", "b"})
    _wait_both_hold_partitions(site)
    site.kill("a")
    answers = [
        read_values(services, site.workspace, site.headers, created["id"]) for _ in range(30)
    ]
    failed = [(i, a.status_code, a.text) for i, a in enumerate(answers) if a.status_code != 200]
    assert not failed
    site.start_replica("a")  # back to two for the tests after this one


def _wait_until(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _wait_both_hold_partitions(site: Relay) -> None:
    def shared() -> bool:
        held = {i["instance"]: i["partitions"] for i in site.status()["instances"] if i["online"]}
        return bool(held.get("a") and held.get("b"))

    _wait_until(shared)


def test_a_sealed_or_unreachable_customer_vault_is_a_503_and_loses_nothing(
    site: Relay, services: RunningServices
) -> None:
    created = create_secret(services, site.workspace, site.headers, {"k": "kept"}, name="db/main")
    url = f"{secrets_url(services, site.workspace)}/{created['id']}"
    root = _customer(site)
    root.sys.seal()

    sealed = read_values(services, site.workspace, site.headers, created["id"])
    assert sealed.status_code == 503
    assert "sealed" in sealed.json()["detail"]
    _wait_until(lambda: site.http("b", "/readyz").status_code == 503)
    assert site.http("b", "/readyz").json()["vault"] == "sealed"
    assert site.http("b", "/healthz").status_code == 200
    refused = httpx.put(url, json={"values": {"k": "lost?"}}, headers=site.headers)
    assert refused.status_code == 503
    assert httpx.get(url, headers=site.headers).json()["version"] == 1

    root.sys.submit_unseal_key(site.vault.unseal_key())
    kept = read_values(services, site.workspace, site.headers, created["id"])
    assert kept.status_code == 200, kept.text
    assert kept.json() == {"secret_id": created["id"], "version": 1, "values": {"k": "kept"}}
    _wait_until(lambda: site.http("b", "/readyz").status_code == 200)
    metrics = site.http("b", "/metrics").text
    assert 'keel_relay_requests_total{operation="read",outcome="success"}' in metrics
    assert "keel_relay_vault_up 1.0" in metrics
    assert "db/main" not in metrics and PATH_PREFIX not in metrics  # no paths as labels

    site.vault.stop()
    unreachable = read_values(services, site.workspace, site.headers, created["id"])
    assert unreachable.status_code == 503
    assert "cannot be reached" in unreachable.json()["detail"]

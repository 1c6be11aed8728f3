"""The storage layers under the secrets service, against real Postgres and real OpenBao:
envelope encryption and key-encryption-key rotation, Vault auth and check-and-set writes."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import hvac
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from keel_common.contracts.secrets import VALUES_CONTEXT, values_context
from keel_common.crypto.at_rest import KeyEncryptionKey, KeyUnwrapError
from keel_common.crypto.sealed import EphemeralKey, public_key_from_text, seal
from keel_common.db.database import Database
from keel_common.errors import Conflict, NotFound, ServiceUnavailable
from keel_devstack.stack import Infrastructure
from keel_secrets.app import MIGRATIONS
from keel_secrets.backends.base import Target
from keel_secrets.backends.models import DataKey
from keel_secrets.backends.rotation import rewrap_all
from keel_secrets.backends.sql import SqlBackend
from keel_secrets.keys.keyring import KeyRing, TransitKey, configured
from keel_secrets.keys.service import ServiceKeys
from keel_secrets.secrets.models import Secret
from keel_secrets.vault.client import VaultConnection, VaultSession
from keel_secrets.vault.kv import KvStore
from tests.support.database import assert_absent_from_database, migrated_database


@pytest.fixture
async def secrets_db(infra: Infrastructure) -> AsyncIterator[Database]:
    async with migrated_database(infra, MIGRATIONS, "secrets") as (db, _):
        yield db


async def _store(db: Database, keyring: KeyRing, values: dict[str, str]) -> Target:
    keys = ServiceKeys(keyring)
    workspace = uuid.uuid4()
    target = Target(workspace, uuid.uuid4(), "db", "user:test", None)
    async with db.transaction() as session:
        await keys.ensure_keys(session)
        session.add(
            Secret(
                id=target.secret_id,
                workspace_id=workspace,
                name="db",
                scope="workspace",
                owner="user:test",
                keys=sorted(values),
                version=0,
                backend="sql",
                shared_with_users=[],
                shared_with_teams=[],
                created_by="user:test",
                updated_by="user:test",
            )
        )
        await session.flush()
        value_key = keys.value_key()
        sealed = seal(
            json.dumps(values).encode(),
            public_key_from_text(value_key.public_key),
            kid=value_key.kid,
            context=values_context(workspace),
        )
        assert await SqlBackend(keys, keyring).write(session, target, sealed, 0) == 1
    return target


async def _read(db: Database, keyring: KeyRing, target: Target) -> dict[str, str]:
    keys = ServiceKeys(keyring)
    reply = EphemeralKey.generate()
    async with db.transaction() as session:
        await keys.ensure_keys(session)
        version, sealed = await SqlBackend(keys, keyring).read(
            session, target, None, reply.public_text
        )
    assert version == 1
    values: dict[str, str] = json.loads(reply.open(sealed, context=VALUES_CONTEXT))
    return values


async def test_rotating_the_key_encryption_key_keeps_every_value(secrets_db: Database) -> None:
    old, new = KeyEncryptionKey.generate_text(), KeyEncryptionKey.generate_text()
    target = await _store(secrets_db, KeyRing.from_text(old, None), {"password": "p1"})

    # Mid-rotation: instances carry the new key as current and the old one as previous.
    during = KeyRing.from_text(new, old)
    assert await _read(secrets_db, during, target) == {"password": "p1"}
    assert await rewrap_all(secrets_db, during) == 3  # one data key, two service keys
    assert await rewrap_all(secrets_db, during) == 0

    # Afterwards the old key can go: everything opens with the new key alone.
    assert await _read(secrets_db, KeyRing.from_text(new, None), target) == {"password": "p1"}


async def test_moving_the_key_encryption_key_into_vault_transit(
    secrets_db: Database, infra: Infrastructure
) -> None:
    root = hvac.Client(url=infra.openbao.address, token=infra.openbao.root_token())
    mount = f"transit-{uuid.uuid4().hex[:6]}"
    root.sys.enable_secrets_engine("transit", path=mount)
    root.secrets.transit.create_key("keel-kek", mount_point=mount)
    vault = VaultSession(
        VaultConnection(address=infra.openbao.address, token=SecretStr(infra.openbao.root_token()))
    )
    transit = TransitKey(vault, "keel-kek", mount)
    configured_key = KeyEncryptionKey.generate_text()
    target = await _store(secrets_db, KeyRing.from_text(configured_key), {"password": "p2"})

    moving = KeyRing(transit, configured(configured_key))
    assert await rewrap_all(secrets_db, moving) == 3
    # The configured key is no longer needed: Vault alone unwraps everything.
    assert await _read(secrets_db, KeyRing(transit), target) == {"password": "p2"}
    async with secrets_db.transaction() as session:
        ids = set((await session.execute(select(DataKey.kek_id))).scalars())
    assert ids == {f"transit:{mount}/keel-kek"}
    # A value wrapped for one purpose does not unwrap as another.
    _, wrapped = await KeyRing(transit).wrap(b"k", purpose="data-key:a")
    with pytest.raises(KeyUnwrapError):
        await transit.unwrap(wrapped, purpose="data-key:b")


async def test_values_are_ciphertext_in_postgres(secrets_db: Database) -> None:
    marker = f"plain-{uuid.uuid4().hex}"
    await _store(
        secrets_db, KeyRing.from_text(KeyEncryptionKey.generate_text(), None), {"password": marker}
    )
    assert (
        await assert_absent_from_database(
            str(secrets_db.engine.url.render_as_string(False)), [marker]
        )
        > 0
    )


async def test_approle_login_and_check_and_set_writes(infra: Infrastructure) -> None:
    root = hvac.Client(url=infra.openbao.address, token=infra.openbao.root_token())
    mount = f"approle-{uuid.uuid4().hex[:6]}"
    root.sys.enable_auth_method("approle", path=mount)
    root.sys.create_or_update_policy(
        "keel-test-kv", 'path "secret/*" { capabilities = ["create", "read", "update", "delete"] }'
    )
    root.auth.approle.create_or_update_approle(
        "keel", token_policies=["keel-test-kv"], token_ttl="2s", mount_point=mount
    )
    role_id = root.auth.approle.read_role_id("keel", mount_point=mount)["data"]["role_id"]
    secret_id = root.auth.approle.generate_secret_id("keel", mount_point=mount)["data"]["secret_id"]
    session = VaultSession(
        VaultConnection(
            address=infra.openbao.address, role_id=role_id, secret_id=secret_id, approle_mount=mount
        )
    )
    first_token = session.client().token
    store = KvStore(session)
    path = f"keel/test/{uuid.uuid4().hex}"

    assert await store.write(path, {"a": "1"}, 0) == 1
    # A retried write of the same values is recognised, not duplicated.
    assert await store.write(path, {"a": "1"}, 0) == 1
    with pytest.raises(Conflict):
        await store.write(path, {"a": "other"}, 0)
    await asyncio.sleep(1.2)  # past half the 2 s TTL: the next call logs in again
    assert (await store.read(path)).values == {"a": "1"}
    assert session.client().token != first_token
    await store.destroy(path)
    assert await store.health() == "ok"
    await store.close()


async def test_a_value_read_fails_as_clearly_as_through_hvac(infra: Infrastructure) -> None:
    """Reads go through aiohttp from the event loop; what a caller sees when one fails
    must be what the hvac path said: not found, or which way the Vault is unavailable."""
    root = hvac.Client(url=infra.openbao.address, token=infra.openbao.root_token())
    token = root.auth.token.create(policies=["root"], ttl="1h")["auth"]["client_token"]
    store = KvStore(
        VaultSession(VaultConnection(address=infra.openbao.address, token=SecretStr(token)))
    )
    path = f"keel/test/{uuid.uuid4().hex}"
    try:
        assert await store.write(path, {"a": "1"}, 0) == 1
        assert await store.write(path, {"a": "2"}, 1) == 2
        assert (await store.read(path, 1)).values == {"a": "1"}
        latest = await store.read(path)
        assert (latest.version, latest.values) == (2, {"a": "2"})
        root.secrets.kv.v2.delete_secret_versions(path, versions=[2], mount_point="secret")
        with pytest.raises(NotFound):
            await store.read(path)  # the latest version is deleted
        with pytest.raises(NotFound):
            await store.read(path, 9)
        with pytest.raises(NotFound):
            await store.read(f"{path}-never-written")
        root.auth.token.revoke(token)
        with pytest.raises(ServiceUnavailable) as denied:
            await store.read(path, 1)
        assert denied.value.extra["cause"] == "denied"
        assert "refused Keel's credentials" in str(denied.value)
    finally:
        root.secrets.kv.v2.delete_metadata_and_all_versions(path, mount_point="secret")
        await store.close()

    gone = KvStore(
        VaultSession(VaultConnection(address="http://127.0.0.1:9", token=SecretStr("t")))
    )
    with pytest.raises(ServiceUnavailable) as unreachable:
        await gone.read(path)
    assert unreachable.value.extra["cause"] == "unreachable"
    await gone.close()

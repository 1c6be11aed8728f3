"""Builds the secrets service: its runtime and handlers. Nothing else."""

from __future__ import annotations

from pathlib import Path

from keel_common.audit.record import AUDIT_TOPIC
from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.topics import TopicSpec
from keel_common.contracts.relay import RELAY_INBOUND
from keel_common.crypto.at_rest import KeyEncryptionKey
from keel_common.service import ServiceRuntime
from keel_secrets.backends.rotation import rewrap_all
from keel_secrets.keys.keyring import ConfiguredKey, KeyRing, TransitKey, configured
from keel_secrets.keys.service import ServiceKeys
from keel_secrets.relays import handlers as relays_handlers
from keel_secrets.relays.client import RelayClient
from keel_secrets.relays.inbound import subscribe_relay_inbound
from keel_secrets.secrets import handlers as secrets_handlers
from keel_secrets.settings import SecretsSettings
from keel_secrets.vault.client import VaultSession
from keel_secrets.workspaces import handlers as workspaces_handlers
from keel_secrets.workspaces.service import Backends

MIGRATIONS = Path(__file__).parent / "migrations"


def keyring_for(settings: SecretsSettings) -> KeyRing:
    previous = settings.previous_key_encryption_keys
    configured_keys = [
        ConfiguredKey(KeyEncryptionKey.from_text(settings.key_encryption_key.get_secret_value())),
        *configured(previous.get_secret_value() if previous else None),
    ]
    connection = settings.vault_connection()
    if settings.transit_key is None:
        return KeyRing(configured_keys[0], configured_keys[1:])
    if connection is None:
        raise SystemExit(
            "KEEL_SECRETS_TRANSIT_KEY needs KEEL_SECRETS_VAULT_ADDRESS and credentials"
        )
    mount, name = settings.transit_key.split("/", 1)
    return KeyRing(TransitKey(VaultSession(connection), name, mount), configured_keys)


def create_runtime(settings: SecretsSettings | None = None) -> ServiceRuntime:
    settings = settings or SecretsSettings()
    runtime = ServiceRuntime(
        "secrets",
        settings,
        MIGRATIONS,
        extra_topics=[TopicSpec(AUDIT_TOPIC, 3), TopicSpec(RELAY_INBOUND, 3)],
    )
    keyring = keyring_for(settings)
    keys = ServiceKeys(keyring)
    relay_client = RelayClient(keys, settings)
    backends = Backends(settings, keys, keyring, relay_client)

    secrets_handlers.register(runtime.router, backends)
    workspaces_handlers.register(runtime.router, backends)
    relays_handlers.register(runtime.router, keys, settings, runtime.bus_settings)
    subscribe_relay_inbound(runtime.broker, runtime.bus_settings, runtime.db)

    rpc = RpcClient(runtime.broker, runtime.bus_settings, caller="secrets")

    async def prepare() -> None:
        async with runtime.db.transaction() as session:
            await keys.ensure_keys(session)
        await rpc.start()
        relay_client.rpc = rpc

    async def rotate_kek() -> None:
        # Configure the new key as current and the old one as previous everywhere first.
        count = await rewrap_all(runtime.db, keyring)
        print(f"re-wrapped {count} keys under {keyring.current.id}")

    runtime.on_startup(prepare)
    runtime.on_shutdown(rpc.stop)
    runtime.on_shutdown(backends.close)
    runtime.commands["rotate-kek"] = rotate_kek
    return runtime

"""The `vault` backend (Scenario 3, or a customer Vault the control plane may reach): values
in a KV v2 engine of the deployment's Vault/OpenBao, under a path prefix per workspace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.secrets import VALUES_CONTEXT, BackendKind, ValueKeyView
from keel_common.crypto.sealed import Sealed, seal_to_requester
from keel_secrets.backends.base import Target
from keel_secrets.keys.service import ServiceKeys, encode_values
from keel_secrets.vault.kv import KvStore, vault_path


class VaultBackend:
    kind: BackendKind = "vault"

    def __init__(self, keys: ServiceKeys, kv: KvStore, path_prefix: str) -> None:
        self._keys = keys
        self._kv = kv
        self._prefix = path_prefix

    def value_key(self) -> ValueKeyView:
        return self._keys.value_key()

    async def write(
        self, session: AsyncSession, target: Target, values: Sealed, expected_version: int
    ) -> int:
        plain = self._keys.open_values(values, target.workspace_id)
        return await self._kv.write(vault_path(self._prefix, target.name), plain, expected_version)

    async def read(
        self, session: AsyncSession, target: Target, version: int | None, reply_key: str
    ) -> tuple[int, Sealed]:
        stored = await self._kv.read(vault_path(self._prefix, target.name), version)
        sealed = seal_to_requester(encode_values(stored.values), reply_key, context=VALUES_CONTEXT)
        return stored.version, sealed

    async def destroy(self, session: AsyncSession, target: Target) -> None:
        await self._kv.destroy(vault_path(self._prefix, target.name))

"""Carrying out an admitted command on the customer's Vault. Values written arrive sealed
to this relay; values read leave sealed to the requester's one-use key."""

from __future__ import annotations

from keel_common.contracts.relay import RelayCommand
from keel_common.contracts.secrets import VALUES_CONTEXT, values_context
from keel_common.crypto.sealed import Sealed, seal_to_requester, unseal
from keel_common.errors import InvalidInput
from keel_secrets.keys.service import decode_values, encode_values
from keel_secrets.relay_agent.identity import Identity
from keel_secrets.vault.kv import KvStore


class Executor:
    def __init__(self, identity: Identity, kv: KvStore, max_value_bytes: int) -> None:
        self._identity = identity
        self._kv = kv
        self._max_bytes = max_value_bytes

    async def run(self, command: RelayCommand, path: str) -> tuple[int | None, Sealed | None]:
        """The version touched and, for reads, the sealed values."""
        if command.operation == "read":
            if command.reply_key is None:
                raise InvalidInput("a read needs a reply key", field="reply_key")
            stored = await self._kv.read(path, command.version)
            sealed = seal_to_requester(
                encode_values(stored.values), command.reply_key, context=VALUES_CONTEXT
            )
            return stored.version, sealed
        if command.operation == "write":
            if command.values is None:
                raise InvalidInput("a write needs values", field="values")
            raw = unseal(
                command.values,
                self._identity.sealing_key,
                context=values_context(self._identity.workspace_id),
            )
            if len(raw) > self._max_bytes:
                raise InvalidInput(f"values exceed {self._max_bytes} bytes", field="values")
            version = await self._kv.write(path, decode_values(raw), command.expected_version or 0)
            return version, None
        await self._kv.destroy(path)
        return None, None

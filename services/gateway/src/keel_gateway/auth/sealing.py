"""Sealing credentials for the auth service, and opening what it seals back to us."""

from __future__ import annotations

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.auth import GetSealingKey, SealingKey
from keel_common.crypto.sealed import Sealed, public_key_from_text, seal


class AuthSealingKey:
    """The auth service's public sealing key, fetched once and again after a rotation."""

    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc
        self._key: SealingKey | None = None

    async def seal(self, plaintext: str, *, context: str, refresh: bool = False) -> Sealed:
        if self._key is None or refresh:
            self._key = await self._rpc.call("auth", GetSealingKey(), SealingKey)
        recipient = public_key_from_text(self._key.public_key)
        return seal(plaintext.encode(), recipient, kid=self._key.kid, context=context)

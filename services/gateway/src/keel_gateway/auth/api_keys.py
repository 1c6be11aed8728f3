"""API keys presented as bearer tokens, verified by the auth service and cached briefly.

The cache is keyed by the key's SHA-256, never the key. A revocation reaches every gateway
as an `api_key.revoked` event and evicts the entry at once, so the TTL only bounds how
long a gateway that missed the event (e.g. during a broker outage) can trust a key.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.auth import ApiKeyIdentity, VerifyApiKey
from keel_gateway.auth.sealing import AuthSealingKey

API_KEY_PREFIX = "keel_ak_"


class ApiKeyCache:
    def __init__(self, rpc: RpcClient, sealing: AuthSealingKey, ttl_s: float) -> None:
        self._rpc = rpc
        self._sealing = sealing
        self._ttl_s = ttl_s
        self._entries: dict[str, tuple[float, ApiKeyIdentity]] = {}

    async def verify(self, key: str) -> ApiKeyIdentity:
        digest = hashlib.sha256(key.encode()).hexdigest()
        cached = self._entries.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        sealed = await self._sealing.seal(key, context=VerifyApiKey.TYPE)
        identity = await self._rpc.call("auth", VerifyApiKey(key=sealed), ApiKeyIdentity)
        self._entries[digest] = (time.monotonic() + self._ttl_s, identity)
        return identity

    def revoke(self, key_id: uuid.UUID) -> None:
        for digest in [d for d, (_, ident) in self._entries.items() if ident.key_id == key_id]:
            del self._entries[digest]

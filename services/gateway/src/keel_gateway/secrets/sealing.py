"""Sealing values on their way in, opening them on their way out.

The gateway is the one control-plane component that sees a plaintext value, and only in
memory, between the HTTPS request and the seal. Values are sealed to the workspace's value
key (the secrets service's, or the enrolled relay's), cached for a short while; if the key
changed meanwhile (relay re-enrolled, backend switched), the service says so and the call
is retried once with the fresh key.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.secrets import GetValueKey, ValueKeyView, values_context
from keel_common.crypto.sealed import Sealed, public_key_from_text, seal
from keel_common.errors import RemoteError

T = TypeVar("T")

TTL_S = 30.0


class ValueKeys:
    def __init__(self, rpc: RpcClient) -> None:
        self._rpc = rpc
        self._keys: dict[uuid.UUID, tuple[float, ValueKeyView]] = {}

    async def _key(self, workspace: uuid.UUID, actor: str) -> ValueKeyView:
        cached = self._keys.get(workspace)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        key = await self._rpc.call(
            "secrets", GetValueKey(), ValueKeyView, workspace=workspace, actor=actor
        )
        self._keys[workspace] = (time.monotonic() + TTL_S, key)
        return key

    async def sealed_call(
        self,
        workspace: uuid.UUID,
        actor: str,
        values: dict[str, str],
        send: Callable[[Sealed], Awaitable[T]],
    ) -> T:
        """`send(sealed values)`, retried once if the workspace's key has changed."""
        for attempt in (1, 2):
            key = await self._key(workspace, actor)
            sealed = seal(
                json.dumps(values, separators=(",", ":"), sort_keys=True).encode(),
                public_key_from_text(key.public_key),
                kid=key.kid,
                context=values_context(workspace),
            )
            try:
                return await send(sealed)
            except RemoteError as error:
                if attempt == 2 or not error.problem.extra.get("stale_key"):
                    raise
                self._keys.pop(workspace, None)
        raise AssertionError("unreachable")

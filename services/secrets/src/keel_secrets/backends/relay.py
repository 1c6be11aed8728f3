"""The `relay` backend (Scenario 2): the control plane keeps metadata only; every value
operation is a signed request to the workspace's relay, and values stay sealed end to end
(gateway -> relay for writes, relay -> gateway for reads)."""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.secrets import BackendKind, ValueKeyView
from keel_common.crypto.sealed import Sealed
from keel_common.errors import Conflict, ServiceUnavailable
from keel_secrets.backends.base import Target
from keel_secrets.relays.client import RelayAsk, RelayClient
from keel_secrets.relays.models import Relay


def relay_value_kid(relay: Relay) -> str:
    """Changes when the relay enrolls new keys, so values sealed to old keys are refused."""
    digest = hashlib.sha256((relay.sealing_key or "").encode()).hexdigest()[:16]
    return f"relay-{digest}"


class RelayBackend:
    kind: BackendKind = "relay"

    def __init__(self, client: RelayClient, relay: Relay) -> None:
        self._client = client
        self._relay = relay

    def value_key(self) -> ValueKeyView:
        if self._relay.sealing_key is None:
            raise ServiceUnavailable(
                f"relay {self._relay.name} has not enrolled yet",
                relay=self._relay.name,
                status="pending",
            )
        return ValueKeyView(kid=relay_value_kid(self._relay), public_key=self._relay.sealing_key)

    async def write(
        self, session: AsyncSession, target: Target, values: Sealed, expected_version: int
    ) -> int:
        if values.kid != relay_value_kid(self._relay):
            raise Conflict("values are sealed to a key this workspace does not use", stale_key=True)
        ask = RelayAsk(
            operation="write",
            name=target.name,
            values=values,
            expected_version=expected_version,
            actor=target.actor,
            request_id=target.request_id,
        )
        outcome = await self._client.ask(session, self._relay, ask)
        assert outcome.version is not None
        return outcome.version

    async def read(
        self, session: AsyncSession, target: Target, version: int | None, reply_key: str
    ) -> tuple[int, Sealed]:
        ask = RelayAsk(
            operation="read",
            name=target.name,
            version=version,
            reply_key=reply_key,
            actor=target.actor,
            request_id=target.request_id,
        )
        outcome = await self._client.ask(session, self._relay, ask)
        assert outcome.version is not None and outcome.values is not None
        return outcome.version, outcome.values

    async def destroy(self, session: AsyncSession, target: Target) -> None:
        ask = RelayAsk(
            operation="delete", name=target.name, actor=target.actor, request_id=target.request_id
        )
        await self._client.ask(session, self._relay, ask)

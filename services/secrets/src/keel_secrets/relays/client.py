"""Asking a workspace's relay to act on the customer's Vault.

Each attempt is a fresh command (new nonce, short expiry) signed with the control plane's
Ed25519 key and steered to a partition that a live replica consumes. An attempt that gets
no answer is retried on another partition until the budget is spent, so a replica that
died without leaving its consumer group costs latency, not a failed request. Retried
writes are safe: the relay writes with check-and-set and recognises its own earlier write.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.base import utcnow
from keel_common.contracts.relay import (
    Operation,
    RelayCommand,
    RelayOutcome,
    SignedRelayReply,
    SignedRelayRequest,
    relay_service,
)
from keel_common.crypto import signing
from keel_common.crypto.sealed import Sealed
from keel_common.errors import RemoteError, ServiceTimeout, ServiceUnavailable
from keel_secrets.keys.service import ServiceKeys
from keel_secrets.relays import repository
from keel_secrets.relays.models import Relay
from keel_secrets.relays.status import last_heartbeat
from keel_secrets.relays.steering import Steering
from keel_secrets.settings import SecretsSettings

# Heartbeats are sent every second by default: a replica silent for longer than this is
# presumed gone, and requests are steered to the partitions of the others.
FRESH = timedelta(seconds=3)
# How long the replicas' partition reports are reused (see steering.py).
REPORTS_TTL_S = 0.5


@dataclass(frozen=True)
class RelayAsk:
    operation: Operation
    name: str
    version: int | None = None
    values: Sealed | None = None
    expected_version: int | None = None
    reply_key: str | None = None
    actor: str | None = None
    request_id: str | None = None


class RelayClient:
    def __init__(self, keys: ServiceKeys, settings: SecretsSettings) -> None:
        self._keys = keys
        self._settings = settings
        self.rpc: RpcClient | None = None  # set at start, once the broker exists
        self._steering = Steering(FRESH, REPORTS_TTL_S)

    async def ask(self, session: AsyncSession, relay: Relay, ask: RelayAsk) -> RelayOutcome:
        if relay.verify_key is None:
            raise ServiceUnavailable(
                f"relay {relay.name} has not enrolled yet", relay=relay.name, status="pending"
            )
        assert self.rpc is not None
        deadline = utcnow() + timedelta(seconds=self._settings.relay_timeout_s)
        tried: set[int] = set()
        while (left := (deadline - utcnow()).total_seconds()) > 0.05:
            partition = await self._steering.choose(session, relay.id, tried)
            if partition is not None:
                tried.add(partition)
            command = self._command(relay, ask)
            body = command.model_dump_json()
            request = SignedRelayRequest(
                key_id=self._keys.loaded.signing_kid, body=body, signature=self._keys.sign(body)
            )
            try:
                reply = await self.rpc.call(
                    relay_service(relay.id),
                    request,
                    SignedRelayReply,
                    workspace=relay.workspace_id,
                    actor=ask.actor,
                    timeout=min(self._settings.relay_attempt_timeout_s, left),
                    partition=partition,
                )
            except ServiceTimeout:
                if partition is not None:
                    self._steering.unanswered(relay.id, partition)
                continue
            return self._verified(relay, command, reply)
        instances = await repository.instances(session, [relay.id])
        seen = last_heartbeat(instances)
        raise ServiceUnavailable(
            f"relay {relay.name} did not answer within {self._settings.relay_timeout_s:g}s"
            + (f"; last heartbeat {seen.isoformat()}" if seen else "; it never sent a heartbeat"),
            relay=relay.name,
            relay_id=str(relay.id),
            last_heartbeat=seen.isoformat() if seen else None,
            retry_after=5,
        )

    def _command(self, relay: Relay, ask: RelayAsk) -> RelayCommand:
        now = utcnow()
        return RelayCommand(
            relay_id=relay.id,
            workspace=relay.workspace_id,
            operation=ask.operation,
            name=ask.name,
            version=ask.version,
            values=ask.values,
            expected_version=ask.expected_version,
            reply_key=ask.reply_key,
            actor=ask.actor,
            request_id=ask.request_id,
            issued_at=now,
            expires_at=now + timedelta(seconds=self._settings.relay_command_ttl_s),
            nonce=secrets.token_hex(16),
        )

    @staticmethod
    def _verified(relay: Relay, command: RelayCommand, reply: SignedRelayReply) -> RelayOutcome:
        assert relay.verify_key is not None
        unproven = ServiceUnavailable(
            f"relay {relay.name} sent a reply that is not signed by its enrolled key",
            relay=relay.name,
        )
        try:
            signing.verify(
                reply.body, reply.signature, signing.verify_key_from_text(relay.verify_key)
            )
            outcome = RelayOutcome.model_validate_json(reply.body)
        except (signing.BadSignature, ValueError):
            raise unproven from None
        if outcome.nonce != command.nonce or outcome.relay_id != relay.id:
            raise unproven
        if outcome.problem is not None:
            raise RemoteError(outcome.problem)
        return outcome

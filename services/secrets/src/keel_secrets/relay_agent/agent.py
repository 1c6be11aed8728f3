"""The relay process: enrollment, the request consumer, heartbeats.

Requests arrive on the relay's own topic (one consumer group for all replicas, so any
replica may answer and one may die). Each is admitted by the guard, executed, audited
locally and answered with a signed outcome. Heartbeats tell the control plane which
replica is alive, which partitions it holds and whether the Vault is usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker

from keel_common.bus.broker import make_broker
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.base import Envelope
from keel_common.contracts.relay import (
    RELAY_INBOUND,
    HeartbeatBody,
    RelayCommand,
    RelayHeartbeat,
    RelayOutcome,
    SignedRelayReply,
    SignedRelayRequest,
    relay_service,
)
from keel_common.contracts.secrets import VaultHealth
from keel_common.errors import Forbidden, KeelError, Problem
from keel_common.logging import get_logger
from keel_common.service import package_version
from keel_common.settings import BusSettings
from keel_secrets.relay_agent.audit_log import AuditLog
from keel_secrets.relay_agent.executor import Executor
from keel_secrets.relay_agent.guard import Guard, Refused
from keel_secrets.relay_agent.identity import Identity
from keel_secrets.relay_agent.metrics import RelayMetrics
from keel_secrets.relay_agent.policy import Policy
from keel_secrets.relay_agent.settings import RelaySettings
from keel_secrets.vault.client import VaultSession
from keel_secrets.vault.kv import KvStore

log = get_logger(__name__)


class RelayAgent:
    def __init__(self, settings: RelaySettings) -> None:
        self.settings = settings
        self.bus: BusSettings = settings.bus()
        enrollment = settings.enrollment.get_secret_value() if settings.enrollment else None
        self.identity = Identity.load_or_enroll(settings.state_dir, enrollment)
        self.kv = KvStore(VaultSession(settings.vault_connection()), settings.vault_mount)
        policy = Policy.load(settings.policy_file, settings.vault_path_prefix)
        self.guard = Guard(self.identity, policy, settings.vault_path_prefix, settings.clock_skew_s)
        self.executor = Executor(self.identity, self.kv, settings.max_value_bytes)
        self.audit = AuditLog(settings.audit_path())
        self.metrics = RelayMetrics()
        self.version = package_version("keel-secrets")
        self.vault_health: VaultHealth = "unreachable"
        self.broker: KafkaBroker = make_broker(
            self.bus, client_id=f"keel-relay-{settings.instance}"
        )
        router = RpcRouter(relay_service(self.identity.relay_id), on_expired=self._expired)
        router.method(SignedRelayRequest)(self._handle)
        self._subscriber = router.bind(self.broker, self.bus)
        self._heartbeats: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self._subscriber.consumer is not None

    async def start(self) -> None:
        await self.broker.start()
        if self.identity.pending_token is not None:
            await self._publish(self.identity.enrollment(), key=str(self.identity.relay_id))
            log.info("enrollment sent", relay_id=str(self.identity.relay_id))
        self._heartbeats = asyncio.create_task(self._beat(), name="relay-heartbeats")
        log.info(
            "relay ready", relay_id=str(self.identity.relay_id), instance=self.settings.instance
        )

    async def stop(self) -> None:
        if self._heartbeats is not None:
            self._heartbeats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeats
        await self.broker.stop()
        await self.kv.close()
        self.audit.close()

    async def _handle(self, request: SignedRelayRequest, ctx: RpcContext) -> SignedRelayReply:
        started = time.perf_counter()
        command: RelayCommand | None = None
        path: str | None = None
        try:
            command = self.guard.admit(request, datetime.now(UTC))
            path = self.guard.vault_path(command.name)
            if self.identity.pending_token is not None:
                # Signed by the control plane for us: our enrollment arrived.
                self.identity = self.identity.enrolled(self.settings.state_dir)
            version, values = await self.executor.run(command, path)
        except Refused as refused:
            command = refused.command
            path = self.guard.vault_path(command.name) if command else None
            self._count(command, "refused")
            self.audit.record(
                "refused",
                command=command,
                path=path,
                reason=refused.reason,
                message_id=str(ctx.envelope.id),
            )
            log.warning("request refused", reason=refused.reason, path=path)
            return self._reply(command, problem=Forbidden(f"relay refused: {refused.reason}"))
        except KeelError as failed:
            self._count(command, "failure")
            self.audit.record(
                "failure",
                command=command,
                path=path,
                reason=failed.detail,
                message_id=str(ctx.envelope.id),
            )
            return self._reply(command, problem=failed)
        self._count(command, "success")
        self.metrics.latency.labels(command.operation).observe(time.perf_counter() - started)
        self.audit.record("success", command=command, path=path, message_id=str(ctx.envelope.id))
        return self._reply(command, version=version, values=values)

    def _reply(
        self, command: RelayCommand | None, *, problem: KeelError | None = None, **fields: Any
    ) -> SignedRelayReply:
        outcome = RelayOutcome(
            relay_id=self.identity.relay_id,
            instance=self.settings.instance,
            nonce=command.nonce if command else "",
            problem=problem.to_problem() if problem else None,
            **fields,
        )
        body = outcome.model_dump_json()
        return SignedRelayReply(body=body, signature=self.identity.sign(body))

    def _count(self, command: RelayCommand | None, outcome: str) -> None:
        operation = command.operation if command else "unknown"
        self.metrics.requests.labels(operation, outcome).inc()

    async def _expired(self, envelope: Envelope) -> None:
        # Dropped unread: the caller has given up, so running it now would be running late.
        self.audit.record(
            "refused",
            command=None,
            path=None,
            reason="expired before receipt",
            message_id=str(envelope.id),
        )
        self.metrics.requests.labels("unknown", "refused").inc()

    async def _beat(self) -> None:
        while True:
            try:
                self.vault_health = await self.kv.health()
                self.metrics.vault_up.set(1 if self.vault_health == "ok" else 0)
                await self._publish(self._heartbeat(), key=str(self.identity.relay_id))
                self.metrics.heartbeats.inc()
            except Exception:
                log.exception("heartbeat failed")
            await asyncio.sleep(self.settings.heartbeat_interval_s)

    def _heartbeat(self) -> RelayHeartbeat:
        consumer = self._subscriber.consumer
        partitions = sorted(tp.partition for tp in consumer.assignment()) if consumer else []
        body = HeartbeatBody(
            relay_id=self.identity.relay_id,
            instance=self.settings.instance,
            sent_at=datetime.now(UTC),
            partitions=partitions,
            vault=self.vault_health,
            version=self.version,
        ).model_dump_json()
        return RelayHeartbeat(
            relay_id=self.identity.relay_id, body=body, signature=self.identity.sign(body)
        )

    async def _publish(self, message: Any, *, key: str) -> None:
        envelope = Envelope.wrap(
            message, workspace=self.identity.workspace_id, actor=f"relay:{self.identity.relay_id}"
        )
        await self.broker.publish(
            envelope.to_bytes(), RELAY_INBOUND, key=key.encode(), headers=envelope.headers()
        )


__all__ = ["Problem", "RelayAgent"]

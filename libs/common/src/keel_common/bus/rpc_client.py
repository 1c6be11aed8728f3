"""The calling half of request/reply over Kafka.

FastStream's `broker.request()` only works with its in-memory test client, so this is the
real thing: a request goes to the owning service's topic with `reply_to` naming this
instance's own reply topic; a plain aiokafka consumer pinned to that topic resolves the
future waiting under the request's id. Past the deadline the caller gets `ServiceTimeout`
and the service, seeing `expires_at`, drops the request instead of running it late.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta
from typing import TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from keel_common.bus.broker import client_security_kwargs
from keel_common.bus.topics import (
    SHORT_RETENTION,
    TopicSpec,
    delete_topics,
    ensure_topics,
    reply_topic,
    rpc_topic,
    until_announced,
)
from keel_common.bus.tracing import TRACEPARENT, outgoing_traceparent
from keel_common.contracts.base import Contract, Envelope, utcnow
from keel_common.contracts.rpc import RpcReply
from keel_common.errors import RemoteError, ServiceTimeout
from keel_common.logging import get_logger
from keel_common.settings import BusSettings

log = get_logger(__name__)

Res = TypeVar("Res", bound=Contract)


class RpcClient:
    def __init__(self, broker: KafkaBroker, settings: BusSettings, caller: str) -> None:
        self._broker = broker
        self._settings = settings
        self.instance = uuid.uuid4().hex[:12]
        self.reply_topic = reply_topic(caller, self.instance)
        self._pending: dict[uuid.UUID, asyncio.Future[Envelope]] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await ensure_topics(self._settings, [TopicSpec(self.reply_topic, 1, SHORT_RETENTION)])
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._settings.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            fetch_max_wait_ms=self._settings.fetch_wait_ms(),
            **client_security_kwargs(self._settings),
        )
        await consumer.start()
        await until_announced(consumer, self.reply_topic)
        partition = TopicPartition(self.reply_topic, 0)
        consumer.assign([partition])
        # Fix the starting offset before the first request leaves, so no reply can land
        # in the gap between "assigned" and "position known".
        await consumer.seek_to_end(partition)
        await consumer.position(partition)
        self._consumer = consumer
        self._listener = asyncio.create_task(self._listen(), name="rpc-replies")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._consumer is not None:
            await self._consumer.stop()
        for future in self._pending.values():
            future.cancel()
        # One topic per process lifetime: without this they pile up on a real Kafka. Best
        # effort: a crash leaves one behind, and its short retention keeps it empty.
        try:
            await delete_topics(self._settings, [self.reply_topic])
        except Exception:
            log.warning("reply topic not deleted", topic=self.reply_topic)

    async def call(
        self,
        service: str,
        request: Contract,
        returns: type[Res],
        *,
        workspace: uuid.UUID | None = None,
        actor: str | None = None,
        timeout: float | None = None,
        partition: int | None = None,
        idempotency_key: str | None = None,
    ) -> Res:
        """Ask `service`; returns its result as `returns` or raises the problem it sent.

        `partition` pins the request to one partition of the service's topic (the relay
        client uses it to steer around a replica that stopped heartbeating). With an
        `idempotency_key`, a repeat of the request gets the first one's reply
        (keel_common.bus.idempotency)."""
        timeout = timeout or self._settings.rpc_timeout_s
        envelope = Envelope.wrap(
            request,
            workspace=workspace,
            actor=actor,
            expires_at=utcnow() + timedelta(seconds=timeout),
            request_id=structlog.contextvars.get_contextvars().get("request_id"),
            idempotency_key=idempotency_key,
        )
        future: asyncio.Future[Envelope] = asyncio.get_running_loop().create_future()
        self._pending[envelope.id] = future
        try:
            await self._broker.publish(
                envelope.to_bytes(),
                rpc_topic(service),
                headers={**envelope.headers(), TRACEPARENT: outgoing_traceparent()},
                correlation_id=str(envelope.id),
                reply_to=self.reply_topic,
                partition=partition,
            )
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
            # that races with the reply.
            async with asyncio.timeout(timeout):
                answer = await future
        except TimeoutError:
            raise ServiceTimeout(
                f"the {service} service did not answer within {timeout:g}s",
                service=service,
                retry_after=1,
            ) from None
        finally:
            self._pending.pop(envelope.id, None)
        reply = answer.open(RpcReply)
        if reply.problem is not None:
            raise RemoteError(reply.problem)
        return returns.model_validate(reply.result)

    async def _listen(self) -> None:
        assert self._consumer is not None
        async for record in self._consumer:
            try:
                answer = Envelope.model_validate_json(record.value)
            except ValidationError:
                log.warning("unparseable reply ignored", offset=record.offset)
                continue
            future = self._pending.get(answer.causation_id) if answer.causation_id else None
            if future is not None and not future.done():
                future.set_result(answer)

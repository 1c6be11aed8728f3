"""The answering half of request/reply over Kafka.

A service registers one handler per request contract on its `RpcRouter`; all of them share
the service's request topic and consumer group, so instances split the load. Each request
runs in its own unit of work and is answered on the caller's `reply_to` topic with an
`RpcReply`: a result, or a problem. Expected failures become problems the caller re-raises;
anything else is logged here and answered as a bare 500, never with its traceback.
"""

from __future__ import annotations

import asyncio
import typing
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog
from faststream.kafka import KafkaBroker
from faststream.kafka.subscriber.usecase import LogicSubscriber
from faststream.middlewares import AckPolicy
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus import idempotency
from keel_common.bus.broker import group_timing
from keel_common.bus.dead_letters import send_to_dead_letters
from keel_common.bus.message import KafkaMessage
from keel_common.bus.topics import rpc_topic
from keel_common.bus.tracing import TRACEPARENT, continue_trace, outgoing_traceparent, reset_trace
from keel_common.contracts.base import Contract, Envelope
from keel_common.contracts.rpc import RpcReply
from keel_common.db.database import Database
from keel_common.errors import (
    FailAfterCommit,
    InvalidInput,
    KeelError,
    PayloadTooLarge,
    ServiceUnavailable,
    field_issues,
    summarize,
)
from keel_common.logging import get_logger
from keel_common.settings import BusSettings

log = get_logger(__name__)

Req = TypeVar("Req", bound=Contract)


@dataclass(frozen=True)
class RpcContext:
    envelope: Envelope
    # The request's unit of work; None for a service without a database.
    session: AsyncSession | None

    @property
    def workspace(self) -> uuid.UUID | None:
        return self.envelope.workspace

    @property
    def actor(self) -> str | None:
        return self.envelope.actor

    @property
    def request_id(self) -> str:
        """The gateway's request id, or this request's own id when no HTTP call began it."""
        return self.envelope.request_id or str(self.envelope.id)

    def db(self) -> AsyncSession:
        if self.session is None:
            raise RuntimeError("this service has no database")
        return self.session


Handler = Callable[[Any, RpcContext], Awaitable[Contract]]

# A Kafka record holds 1 MiB by default (producer and broker); headers take a little.
MAX_REPLY_BYTES = 1_000_000


ExpiredHook = Callable[[Envelope], Awaitable[None]]
# Called with each request a handler carried out, inside its unit of work (the metadata
# service audits its changes there, so the entry commits with the change or not at all).
SuccessHook = Callable[[Contract, RpcContext], Awaitable[None]]


@dataclass(frozen=True)
class _Method:
    contract: type[Contract]
    handler: Handler
    # Only reads: runs on `Database.reading()`, without BEGIN and COMMIT round trips.
    read_only: bool
    # Reads, then records one row: runs on `Database.statements()` (no BEGIN and COMMIT).
    autocommit: bool


class RpcRouter:
    def __init__(
        self,
        service: str,
        db: Database | None = None,
        *,
        on_expired: ExpiredHook | None = None,
        on_success: SuccessHook | None = None,
    ) -> None:
        self.service = service
        self._db = db
        # Called for each request dropped because its deadline passed (the relay audits it).
        self._on_expired = on_expired
        self._on_success = on_success
        self._handlers: dict[str, _Method] = {}

    def method(
        self, request: type[Req], *, read_only: bool = False, autocommit: bool = False
    ) -> Callable[[Callable[[Req, RpcContext], Awaitable[Contract]]], Handler]:
        """Registers the handler of `request`. `read_only`: it only reads (a get, a list,
        a search), so its statements run on their own instead of in a transaction; a
        write from it is refused (`Database.reading`). `autocommit`: it reads and then
        writes one row that needs nothing to commit with it (a secret read and its audit
        entry), so each statement commits on its own (`Database.statements`); such a
        request is not replayed under an idempotency key, it is simply run again."""
        if read_only and autocommit:
            raise ValueError("a handler is read-only or autocommit, not both")

        def register(fn: Callable[[Req, RpcContext], Awaitable[Contract]]) -> Handler:
            if request.TYPE in self._handlers:
                raise ValueError(f"{request.TYPE} already has a handler")
            self._handlers[request.TYPE] = _Method(request, fn, read_only, autocommit)
            return fn

        return register

    def methods(self) -> list[tuple[type[Contract], type[Contract] | None]]:
        """Each method's request contract and the contract its handler returns (read from
        the handler's annotation), for the AsyncAPI document."""
        described = []
        for method in self._handlers.values():
            contract = method.contract
            try:
                returns = typing.get_type_hints(method.handler).get("return")
            except NameError:
                returns = None
            reply = returns if isinstance(returns, type) and issubclass(returns, Contract) else None
            described.append((contract, reply))
        return described

    async def dispatch(self, envelope: Envelope) -> RpcReply:
        entry = self._handlers.get(envelope.type)
        if entry is None:
            return _problem_reply(InvalidInput(f"{self.service} has no method {envelope.type!r}"))
        try:
            request = envelope.open(entry.contract)
        except ValidationError as exc:
            return _problem_reply(InvalidInput("invalid request", errors=field_issues(exc)))
        try:
            if entry.read_only and self._db is not None:
                result = await self._read(entry.handler, request, envelope, self._db)
            elif entry.autocommit and self._db is not None:
                result = await self._each_statement(entry.handler, request, envelope, self._db)
            else:
                result = await self._run(entry.handler, request, envelope)
        except Exception as exc:
            return _problem_reply(self._refusal(exc, envelope.type))
        return RpcReply(ok=True, result=result)

    def _refusal(self, exc: Exception, method: str) -> KeelError:
        """What the caller is told of a failed handler (called inside the `except`)."""
        if isinstance(exc, FailAfterCommit):
            return exc.error
        if isinstance(exc, KeelError):
            return exc
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            # Postgres restarted or the connection was cut: nothing was committed (or the
            # commit's fate is unknown, which a retry with an Idempotency-Key settles).
            log.warning("database connection lost", method=method)
            return ServiceUnavailable(
                f"{self.service} lost its database connection; retry", retry_after=1
            )
        log.exception("rpc handler crashed", method=method)
        return KeelError()

    async def _read(
        self, handler: Handler, request: Contract, envelope: Envelope, db: Database
    ) -> dict[str, Any]:
        """A read-only handler: no unit of work to commit, no idempotency to keep."""
        async with db.reading() as session:
            result = await handler(request, RpcContext(envelope, session))
        return result.model_dump(mode="json")

    async def _each_statement(
        self, handler: Handler, request: Contract, envelope: Envelope, db: Database
    ) -> dict[str, Any]:
        """An autocommit handler: what it wrote is committed even if it then raises
        (FailAfterCommit included, whose error is the answer)."""
        async with db.statements() as session:
            context = RpcContext(envelope, session)
            result = await handler(request, context)
            if self._on_success is not None:
                await self._on_success(request, context)
        return result.model_dump(mode="json")

    async def _run(self, handler: Handler, request: Contract, envelope: Envelope) -> dict[str, Any]:
        """The handler in its own unit of work: committed if it returns (or raises
        FailAfterCommit), rolled back if it raises anything else. A request with an
        idempotency key that was seen before gets the first request's reply instead."""
        if self._db is None:
            return (await handler(request, RpcContext(envelope, None))).model_dump(mode="json")
        scope = idempotency.scope_of(envelope)
        kept: FailAfterCommit | None = None
        async with self._db.transaction() as session:
            if scope is not None:
                fingerprint = idempotency.fingerprint_of(envelope)
                first = await idempotency.claim(session, scope, fingerprint)
                if first is not None:
                    return first.replay(fingerprint)
            context = RpcContext(envelope, session)
            try:
                result = await handler(request, context)
                if self._on_success is not None:
                    await self._on_success(request, context)
            except FailAfterCommit as failure:
                kept = failure  # leaving the block normally commits
                if scope is not None:
                    await idempotency.forget(session, scope)
            else:
                if scope is not None:
                    return await idempotency.keep(session, scope, result)
                return result.model_dump(mode="json")
        raise kept

    def bind(self, broker: KafkaBroker, settings: BusSettings) -> LogicSubscriber[Any]:
        """Subscribe this router to the service's request topic; returns the subscriber
        (whose consumer knows the partitions it holds)."""
        group_id = f"keel-{self.service}"
        # FastStream runs one handler at a time per partition; a request that waits on its
        # database must not hold up the next one, so each runs as its own task, with at
        # most `rpc_concurrency` in flight (the consume loop waits for a free slot).
        slots = asyncio.Semaphore(settings.rpc_concurrency)
        in_flight: set[asyncio.Task[None]] = set()

        def finished(task: asyncio.Task[None]) -> None:
            in_flight.discard(task)
            slots.release()

        async def on_request(message: KafkaMessage) -> None:
            await slots.acquire()
            task = asyncio.create_task(self._answer_safely(broker, message, group_id))
            in_flight.add(task)
            task.add_done_callback(finished)

        timing = group_timing(settings)
        subscriber = broker.subscriber(
            rpc_topic(self.service),
            group_id=group_id,
            fetch_max_wait_ms=settings.fetch_wait_ms(),
            session_timeout_ms=timing.session_timeout_ms,
            heartbeat_interval_ms=timing.heartbeat_interval_ms,
            # Requests past their deadline are dropped, so replaying one after a crash is
            # never useful: commit on receipt.
            ack_policy=AckPolicy.ACK_FIRST,
            no_reply=True,
            title=f"{group_id}:rpc",
        )
        subscriber(on_request)
        return subscriber

    async def _answer_safely(
        self, broker: KafkaBroker, message: KafkaMessage, consumer: str
    ) -> None:
        token = continue_trace(message.headers.get(TRACEPARENT))
        try:
            await self._answer(broker, message, consumer)
        except Exception:
            # Only the reply publish can get here; the caller will see a timeout.
            log.exception("rpc reply failed", consumer=consumer)
        finally:
            reset_trace(token)

    async def _answer(self, broker: KafkaBroker, message: KafkaMessage, consumer: str) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
        except ValidationError as exc:
            await send_to_dead_letters(
                broker, message, consumer=consumer, reason=f"unparseable request: {summarize(exc)}"
            )
            return
        if not message.reply_to:
            await send_to_dead_letters(
                broker, message, consumer=consumer, reason="request has no reply_to"
            )
            return
        if envelope.expired():
            log.info("expired request dropped", method=envelope.type, message_id=str(envelope.id))
            if self._on_expired is not None:
                await self._on_expired(envelope)
            return
        bound = structlog.contextvars.bind_contextvars(request_id=envelope.request_id)
        try:
            reply = await self.dispatch(envelope)
        finally:
            structlog.contextvars.reset_contextvars(**bound)
        answer = envelope.caused(reply)
        body = answer.to_bytes()
        if len(body) > MAX_REPLY_BYTES:
            # The producer would refuse it and the caller would wait out its deadline.
            too_large = PayloadTooLarge(
                f"the answer is over the {MAX_REPLY_BYTES} bytes a reply may carry; "
                "ask for less (a smaller page)"
            )
            answer = envelope.caused(_problem_reply(too_large))
            body = answer.to_bytes()
        await broker.publish(
            body,
            message.reply_to,
            headers={**answer.headers(), TRACEPARENT: outgoing_traceparent()},
            correlation_id=str(envelope.id),
        )


def _problem_reply(error: KeelError) -> RpcReply:
    return RpcReply(ok=False, problem=error.to_problem())

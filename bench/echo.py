"""What the RPC benchmark calls: a trivial service, plus the timestamps that locate its time.

Shared by the in-process server (bench.infra) and the separate server process
(bench.rpc_server_process). Timestamps are `time.monotonic_ns()`, which on Linux reads
CLOCK_MONOTONIC, one clock for every process on the machine, so stamps taken in the caller
and in the server process can be subtracted from each other.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, ClassVar

from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker
from faststream.message import StreamMessage

from keel_common.bus.rpc_client import RpcClient
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.base import Contract

# correlation id (the request envelope's id) -> stamp name -> monotonic ns
Stamps = dict[str, dict[str, int]]

# Set by a caller to a dict of its own; the publish stamp stores the id of the request the
# caller just sent under "id", so the caller can attach its own stamps to that request.
CURRENT_CALL: ContextVar[dict[str, str] | None] = ContextVar("bench_current_call", default=None)


class BenchPing(Contract):
    TYPE: ClassVar[str] = "bench.ping"
    n: int


class BenchPong(Contract):
    TYPE: ClassVar[str] = "bench.pong"
    n: int


def echo_router(service: str, stamps: Stamps | None = None) -> RpcRouter:
    """A service without a database whose one method answers at once."""
    router = RpcRouter(service, db=None)

    @router.method(BenchPing)
    async def ping(request: BenchPing, ctx: RpcContext) -> BenchPong:
        if stamps is not None:
            stamps.setdefault(str(ctx.envelope.id), {})["handler"] = time.monotonic_ns()
        return BenchPong(n=request.n)

    return router


def forwarding_router(service: str, client: RpcClient, next_service: str) -> RpcRouter:
    """A service without a database whose one method asks `next_service` the same and
    answers with its answer: a hop of a multi-service path, doing none of its work."""
    router = RpcRouter(service, db=None)

    @router.method(BenchPing)
    async def ping(request: BenchPing, ctx: RpcContext) -> BenchPong:
        return await client.call(next_service, request, BenchPong)

    return router


def add_stamping(broker: KafkaBroker, stamps: Stamps, role: str) -> None:
    """Record when this broker hands a message to its subscriber (`<role>_recv`) and when
    each publish starts and is acknowledged (`<role>_pub_start`, `<role>_pub_end`)."""

    class Stamping(BaseMiddleware[Any, Any]):
        async def consume_scope(
            self, call_next: Callable[[StreamMessage[Any]], Awaitable[Any]], msg: StreamMessage[Any]
        ) -> Any:
            stamps.setdefault(msg.correlation_id, {})[f"{role}_recv"] = time.monotonic_ns()
            return await call_next(msg)

        async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
            key = str(cmd.correlation_id)
            if (call := CURRENT_CALL.get()) is not None:
                call["id"] = key
            entry = stamps.setdefault(key, {})
            entry[f"{role}_pub_start"] = time.monotonic_ns()
            result = await call_next(cmd)
            entry[f"{role}_pub_end"] = time.monotonic_ns()
            return result

    broker.add_middleware(Stamping)


def quiet_faststream() -> None:
    """FastStream's access logger writes INFO lines (partition assignments) to stdout, where
    the benchmark prints its tables; keep its warnings and errors only."""
    logging.getLogger("faststream.access.kafka").addFilter(
        lambda record: record.levelno >= logging.WARNING
    )

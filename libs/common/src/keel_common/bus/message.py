"""The consumed record as a handler parameter, resolved without a thread hop.

FastStream's own `KafkaMessage` annotation resolves through a `Context` whose `use` is a
plain function, and fast_depends runs plain-function resolvers in a worker thread: one
thread round trip, and a hand-over of the GIL, for every record consumed. On the RPC path
that is paid by every request; under load the hand-over waits for the event loop to
yield. The same resolution declared as a coroutine runs inline.
"""

from __future__ import annotations

from typing import Annotated, Any

# The class behind `faststream.Context(...)`, which is a factory function; FastStream
# exports the class only from this package.
from faststream._internal.context import Context
from faststream.kafka.message import KafkaMessage as ConsumedRecord


class InlineContext(Context):
    async def use(self, /, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        resolved: dict[str, Any] = super().use(**kwargs)
        return resolved


KafkaMessage = Annotated[ConsumedRecord, InlineContext("message")]

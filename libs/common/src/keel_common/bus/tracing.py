"""W3C trace context (`traceparent`) carried in Kafka headers from hop to hop.

Kept dependency-free: a contextvar holds the current trace; every consume starts a child
span of the incoming one, every publish stamps the current one. An OpenTelemetry exporter
can read the same header without changes to the wire format.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar, Token
from dataclasses import dataclass

TRACEPARENT = "traceparent"
_FORMAT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    flags: str = "01"

    @classmethod
    def new_root(cls) -> TraceContext:
        return cls(trace_id=secrets.token_hex(16), span_id=secrets.token_hex(8))

    @classmethod
    def parse(cls, header: str | None) -> TraceContext | None:
        match = _FORMAT.match(header or "")
        if match is None or set(match.group(1)) == {"0"}:
            return None
        return cls(trace_id=match.group(1), span_id=match.group(2), flags=match.group(3))

    def child(self) -> TraceContext:
        return TraceContext(self.trace_id, secrets.token_hex(8), self.flags)

    def header(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{self.flags}"


_current: ContextVar[TraceContext | None] = ContextVar("keel_trace", default=None)


def current_trace() -> TraceContext | None:
    return _current.get()


def continue_trace(header: str | None) -> Token[TraceContext | None]:
    """Enter a new span: a child of `header` if it is valid, else a new root."""
    parent = TraceContext.parse(header)
    return _current.set(parent.child() if parent else TraceContext.new_root())


def reset_trace(token: Token[TraceContext | None]) -> None:
    _current.reset(token)


def outgoing_traceparent() -> str:
    trace = current_trace() or TraceContext.new_root()
    return trace.header()

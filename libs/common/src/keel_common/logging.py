"""Structured JSON logs that cannot carry a secret value.

Three layers, because one is not enough:
1. values of sensitive keys (password, token, secret, value...) are replaced by `[redacted]`
   at any depth of the event dict;
2. strings shaped like credentials (JWTs, `Bearer ...`, Keel API keys) are masked wherever
   they appear, including inside free-text messages and exception text;
3. pydantic `SecretStr` renders as `**********` on its own.
Every library's stdlib logging is routed through the same chain.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from keel_common.bus.tracing import current_trace
from keel_common.settings import LogSettings

REDACTED = "[redacted]"

_SENSITIVE_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|authorization|cookie|credential|private[_-]?key"
    r"|plaintext|^values?$|enrollment)",
    re.IGNORECASE,
)
_CREDENTIAL_SHAPES = re.compile(
    r"(eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*"  # a JWT
    r"|(?i:bearer|basic)\s+[\w.~+/=-]{8,}"  # an Authorization header value
    r"|keel_[a-z]{2,4}_[\w-]{16,})"  # a Keel API key or token
)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _CREDENTIAL_SHAPES.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if isinstance(k, str) and _SENSITIVE_KEY.search(k) else _scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def redact(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    scrubbed: MutableMapping[str, Any] = _scrub(event_dict)
    return dict(scrubbed)


def add_trace(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    trace = current_trace()
    if trace is not None:
        event_dict.setdefault("trace_id", trace.trace_id)
    return event_dict


def configure_logging(service: str, settings: LogSettings | None = None) -> None:
    settings = settings or LogSettings()
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace,
        structlog.processors.format_exc_info,
        redact,
    ]
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if settings.format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level.upper())
    # aiokafka logs every coordinator hiccup at INFO; keep its warnings only.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger

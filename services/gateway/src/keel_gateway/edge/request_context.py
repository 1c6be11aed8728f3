"""A request id (taken from `X-Request-Id` or made) and the trace, on every log line and on
the response. Pure ASGI: Starlette's `BaseHTTPMiddleware` would add a task and a stream
copy to every request for what is a few dictionary writes."""

from __future__ import annotations

import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel_common.bus.tracing import continue_trace, reset_trace

MAX_ID_LENGTH = 200


class RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")[:MAX_ID_LENGTH]
        request_id = given or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        traceparent = headers.get(b"traceparent")
        token = continue_trace(traceparent.decode("latin-1") if traceparent else None)
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            reset_trace(token)

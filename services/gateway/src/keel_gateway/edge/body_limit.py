"""A cap on request bodies, checked before anything reads them.

A declared `Content-Length` over the cap is refused at once; a body without one (chunked)
is counted as it streams and refused when it passes the cap. Either way the client gets a
413 problem and the route never sees a partial body."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel_common.errors import PayloadTooLarge
from keel_gateway.problems import problem_response


class BodyLimit:
    """`max_bytes` for every request, except paths containing one of `file_paths`
    (uploads of files, streamed to storage and never held in memory): `file_max_bytes`."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        *,
        file_paths: tuple[str, ...] = (),
        file_max_bytes: int = 0,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.file_paths = file_paths
        self.file_max_bytes = file_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        cap = self.file_max_bytes if any(p in path for p in self.file_paths) else self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            # Outside the routes' error handlers: answer here, without reading the body.
            refused = PayloadTooLarge(_detail(cap), max_bytes=cap)
            await problem_response(Request(scope), refused.to_problem())(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    # Raised inside the route that reads the body: its handler answers 413.
                    raise PayloadTooLarge(_detail(cap), max_bytes=cap)
            return message

        await self.app(scope, counted, send)


def _detail(cap: int) -> str:
    return f"the request body is over {cap} bytes"


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None

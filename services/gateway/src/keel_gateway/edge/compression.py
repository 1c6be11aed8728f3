"""gzip for responses that can take it, never for ones that carry secrets.

Compressing a response that holds a secret next to anything an attacker can influence
(a name, a description) leaks the secret through the response's length, one guessed
character at a time (BREACH). Responses with secret values or tokens are sent as they are;
they are small anyway. Files through the MLflow artifact proxy are sent as they are too:
model files are mostly compressed already, and they can be gigabytes. Everything else
(lists of runs, lineage graphs) compresses well.

Level 1: JSON still shrinks about five-fold, at a fraction of the CPU of level 9 (Starlette's
default), which cost ~35 ms for one 750 KB page of MLflow runs."""

from __future__ import annotations

import re

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

# Secret values, sign-in and token answers, API keys and relay enrollment bundles.
SENSITIVE = re.compile(
    r"/values$|^/api/v1/auth/|/api-keys(/|$)|/relays(/[^/]+)?(/enrollment)?$|/oauth|/device"
)
FILES = "/api/2.0/mlflow-artifacts/"
LEVEL = 1


class SelectiveGZip:
    def __init__(self, app: ASGIApp, minimum_size: int = 1024) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=LEVEL)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (SENSITIVE.search(scope["path"]) or FILES in scope["path"]):
            await self.app(scope, receive, send)
            return
        await self.gzip(scope, receive, send)

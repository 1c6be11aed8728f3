"""How the SDK presents who it is: an API key, or access tokens kept fresh.

Access tokens live minutes. `TokenAuth` refreshes one that is about to expire before
using it, and, should the gateway still answer 401, refreshes once and repeats the
request. Refresh tokens work once, so every refresh is handed to `on_refresh` (the CLI
saves it) before the new access token is used.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Generator

import httpx

from keel.models import Tokens
from keel.routes import REFRESH

# Refresh this long before the access token's `exp`, so it does not lapse in flight.
LEEWAY_S = 30.0


class ApiKeyAuth(httpx.Auth):
    def __init__(self, key: str) -> None:
        self._header = f"Bearer {key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class TokenAuth(httpx.Auth):
    requires_response_body = True

    def __init__(
        self,
        access_token: str,
        refresh_token: str | None = None,
        on_refresh: Callable[[Tokens], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.access_token = access_token
        self.refresh_token = refresh_token
        self._on_refresh = on_refresh
        self._clock = clock

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # One refresh per request at most: a refused refresh token will not do better twice.
        tried_refresh = False
        if self.refresh_token and self._expiring():
            tried_refresh = True
            yield from self._refresh(request)
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        response = yield request
        if response.status_code != 401 or not self.refresh_token or tried_refresh:
            return
        if (yield from self._refresh(request)):
            request.headers["Authorization"] = f"Bearer {self.access_token}"
            yield request

    def _expiring(self) -> bool:
        expires_at = token_expiry(self.access_token)
        return expires_at is not None and expires_at - LEEWAY_S <= self._clock()

    def _refresh(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, bool]:
        refresh = httpx.Request(
            REFRESH.method,
            request.url.copy_with(path=REFRESH.template, query=None),
            json={"refresh_token": self.refresh_token},
            headers={"User-Agent": request.headers.get("User-Agent", "")},
        )
        response = yield refresh
        if response.status_code != 200:
            # The original request then answers 401 and says why.
            return False
        tokens = Tokens.model_validate(response.json())
        self.access_token, self.refresh_token = tokens.access_token, tokens.refresh_token
        if self._on_refresh is not None:
            self._on_refresh(tokens)
        return True


def token_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, read without verifying it (the gateway verifies)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return float(claims["exp"])
    except (IndexError, KeyError, TypeError, ValueError):
        return None

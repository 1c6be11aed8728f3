"""The one place requests leave the SDK: retries, error mapping, typed results."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from keel.errors import ConnectionFailed, error_from_response
from keel.models import Resource
from keel.retry import RetryPolicy, parse_retry_after
from keel.routes import Route

T = TypeVar("T", bound=Resource)

USER_AGENT = "keel-sdk/0.1.0"


class Http:
    def __init__(
        self,
        url: str,
        *,
        auth: httpx.Auth | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = url.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._client = httpx.Client(
            base_url=self.url,
            auth=auth,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self._client.close()

    def fetch(
        self,
        route: Route[T],
        path: Mapping[str, object] | None = None,
        *,
        json: object = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """Call `route` and parse its answer as the route's result type."""
        response = self.send(route, path, json=json, params=params, headers=headers)
        return route.returns.model_validate(response.json())

    def send(
        self,
        route: Route[Any],
        path: Mapping[str, object] | None = None,
        *,
        json: object = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Call `route`; a 2xx answer is returned, anything else raised as an `ApiError`."""
        request = self._client.build_request(
            route.method,
            route.path(**(path or {})),
            json=json,
            params={k: v for k, v in (params or {}).items() if v is not None},
            headers=headers,
        )
        if route.keyed and "idempotency-key" not in request.headers:
            # Every try of this call carries the same key: the gateway does it once.
            request.headers["Idempotency-Key"] = uuid.uuid4().hex
        idempotent_key = "idempotency-key" in request.headers
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._client.send(request)
            except httpx.TransportError as error:
                wait = self._retry.delay(
                    attempt,
                    method=route.method,
                    status=None,
                    idempotency_key=idempotent_key,
                    connect_error=isinstance(error, httpx.ConnectError | httpx.ConnectTimeout),
                )
                if wait is None:
                    raise ConnectionFailed(f"cannot reach {self.url}: {error}") from error
                self._sleep(wait)
                continue
            if response.is_success:
                return response
            wait = self._retry.delay(
                attempt,
                method=route.method,
                status=response.status_code,
                idempotency_key=idempotent_key,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
            )
            if wait is None:
                raise error_from_response(response)
            self._sleep(wait)

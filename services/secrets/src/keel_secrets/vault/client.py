"""A logged-in hvac client that keeps itself logged in, and an async read beside it.

hvac is synchronous (requests underneath), so its calls run in a worker thread; this
class is the only place that logs in. Token auth renews the token at half its TTL when it
is renewable; AppRole logs in again at half the lease. Reads of secret values, the hot
path, are made from the event loop with aiohttp instead (`get`): on a busy host the thread
hand-offs of one hvac call cost more than the read itself. They use hvac's token, URL
formatting and error mapping, so a failed read raises the same exceptions as through hvac.
A Vault with a custom CA and an HTTPS proxy are supported for both: configured, or taken
from the environment once (`vault_transport`), not on every call.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import ssl
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import hvac
import hvac.utils
import requests
import requests.utils
from pydantic import BaseModel, ConfigDict, SecretStr

# Even a token that never expires is looked up again now and then, so a revoked one is
# noticed (as `denied`) rather than failing every call until restart.
RECHECK_S = 300.0


class VaultConnection(BaseModel):
    model_config = ConfigDict(frozen=True)

    address: str
    token: SecretStr | None = None
    role_id: str | None = None
    secret_id: SecretStr | None = None
    approle_mount: str = "approle"
    namespace: str | None = None
    ca_bundle: str | None = None
    proxy: str | None = None
    timeout_s: float = 5.0


def vault_transport(connection: VaultConnection) -> tuple[str | bool, dict[str, str] | None]:
    """The CA bundle and proxies for the Vault: the configured ones, else those requests
    takes from the environment (`HTTPS_PROXY`, `NO_PROXY`, `REQUESTS_CA_BUNDLE`)."""
    proxy = connection.proxy
    configured = {"https": proxy, "http": proxy} if proxy else {}
    settings = requests.Session().merge_environment_settings(
        connection.address, configured, None, connection.ca_bundle or True, None
    )
    verify: str | bool = settings["verify"]
    proxies: dict[str, str] = settings["proxies"]
    return verify, proxies or None


class VaultSession:
    def __init__(self, connection: VaultConnection) -> None:
        if connection.token is None and connection.role_id is None:
            raise ValueError("Vault needs a token or an AppRole role id and secret id")
        self.connection = connection
        self._client: hvac.Client | None = None
        self._refresh_at = 0.0
        self._lock = threading.Lock()
        self._http: aiohttp.ClientSession | None = None

    def client(self) -> hvac.Client:
        """The client, logged in; call from a worker thread."""
        with self._lock:
            if self._client is None or time.monotonic() >= self._refresh_at:
                self._client = self._login(self._client or self._new_client())
            return self._client

    def _new_client(self) -> hvac.Client:
        c = self.connection
        verify, proxies = vault_transport(c)
        # requests would otherwise look at the environment and ~/.netrc again on every call
        # (0.3 ms of a 1.2 ms KV read in an idle probe); `vault_transport` has read them once.
        session = requests.Session()
        session.trust_env = False
        return hvac.Client(
            url=c.address,
            namespace=c.namespace,
            verify=verify,
            timeout=c.timeout_s,
            proxies=proxies,
            session=session,
        )

    def _login(self, client: hvac.Client) -> hvac.Client:
        c = self.connection
        if c.role_id is not None:
            secret_id = c.secret_id.get_secret_value() if c.secret_id else None
            auth = client.auth.approle.login(
                role_id=c.role_id, secret_id=secret_id, mount_point=c.approle_mount
            )["auth"]
            self._schedule(auth["lease_duration"])
            return client
        assert c.token is not None
        client.token = c.token.get_secret_value()
        data: dict[str, Any] = client.auth.token.lookup_self()["data"]
        if data.get("renewable") and data.get("ttl"):
            data = client.auth.token.renew_self()["auth"]
            self._schedule(data["lease_duration"])
        else:
            self._schedule(data.get("ttl") or 0)
        return client

    def _schedule(self, ttl_s: int) -> None:
        wait = ttl_s / 2 if ttl_s > 0 else math.inf
        self._refresh_at = time.monotonic() + min(wait, RECHECK_S)

    async def get(self, api_path: str, params: dict[str, str]) -> Any:
        """GET `api_path` (formatted as hvac does) from the event loop; the answer's JSON.
        A Vault error is raised as hvac would raise it; a connection failure as aiohttp's
        `ClientError` or `TimeoutError`."""
        token = self._token_if_fresh()
        if token is None:
            token = (await asyncio.to_thread(self.client)).token
        headers = {"X-Vault-Token": token, "X-Vault-Request": "true"}
        if self.connection.namespace:
            headers["X-Vault-Namespace"] = self.connection.namespace
        url = self.connection.address.rstrip("/") + api_path
        async with self._session().get(url, params=params, headers=headers) as response:
            text = await response.text()
            payload = _json_or_none(response, text)
            if response.status >= 400:
                errors = payload.get("errors") if isinstance(payload, dict) else None
                hvac.utils.raise_for_error(
                    "get", url, response.status, errors=errors, text=text, json=payload
                )
            return payload

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _token_if_fresh(self) -> str | None:
        """The token, when no login or renewal is due. Never waits for the lock: a login
        in progress (in a worker thread) must not hold up the event loop."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if self._client is None or time.monotonic() >= self._refresh_at:
                return None
            token: str = self._client.token
            return token
        finally:
            self._lock.release()

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            c = self.connection
            verify, proxies = vault_transport(c)
            scheme = urlsplit(c.address).scheme
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=c.timeout_s),
                connector=aiohttp.TCPConnector(
                    ssl=_ssl_context(verify) if scheme == "https" else False
                ),
                proxy=(proxies or {}).get(scheme),
            )
        return self._http

    def forget_login(self) -> None:
        """Log in again on the next call (after Vault said the token is no longer valid)."""
        with self._lock:
            self._refresh_at = 0.0


def _ssl_context(verify: str | bool) -> ssl.SSLContext:
    """The CA bundle requests would verify against: the given file or directory, else the
    bundle requests ships with."""
    where = verify if isinstance(verify, str) else requests.utils.DEFAULT_CA_BUNDLE_PATH
    if os.path.isdir(where):
        return ssl.create_default_context(capath=where)
    return ssl.create_default_context(cafile=where)


def _json_or_none(response: aiohttp.ClientResponse, text: str) -> Any:
    if not text or "json" not in response.content_type:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None

"""A logged-in hvac client that keeps itself logged in.

hvac is synchronous (requests underneath), so every call runs in a worker thread; this
class is the only place that logs in. Token auth renews the token at half its TTL when it
is renewable; AppRole logs in again at half the lease. A Vault with a custom CA and an
HTTPS proxy are supported through requests' `verify` and `proxies`.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import hvac
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


class VaultSession:
    def __init__(self, connection: VaultConnection) -> None:
        if connection.token is None and connection.role_id is None:
            raise ValueError("Vault needs a token or an AppRole role id and secret id")
        self.connection = connection
        self._client: hvac.Client | None = None
        self._refresh_at = 0.0
        self._lock = threading.Lock()

    def client(self) -> hvac.Client:
        """The client, logged in; call from a worker thread."""
        with self._lock:
            if self._client is None or time.monotonic() >= self._refresh_at:
                self._client = self._login(self._client or self._new_client())
            return self._client

    def _new_client(self) -> hvac.Client:
        c = self.connection
        proxies = {"https": c.proxy, "http": c.proxy} if c.proxy else None
        return hvac.Client(
            url=c.address,
            namespace=c.namespace,
            verify=c.ca_bundle or True,
            timeout=c.timeout_s,
            proxies=proxies,
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

    def forget_login(self) -> None:
        """Log in again on the next call (after Vault said the token is no longer valid)."""
        with self._lock:
            self._refresh_at = 0.0

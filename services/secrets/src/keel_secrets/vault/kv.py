"""Secret values in a KV v2 engine, with Vault's failures turned into Keel's errors.

Writes use check-and-set, so a lost update is a 409 and a retried write is harmless: when
the version we meant to create already holds exactly our values, the retry succeeded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
import hvac.exceptions
import hvac.utils
import requests

from keel_common.contracts.secrets import VaultHealth
from keel_common.errors import Conflict, NotFound, ServiceUnavailable
from keel_secrets.vault.client import VaultSession

T = TypeVar("T")


@dataclass(frozen=True)
class StoredValues:
    version: int
    values: dict[str, str]


class KvStore:
    def __init__(self, vault: VaultSession, mount: str = "secret") -> None:
        self._vault = vault
        self.mount = mount
        self._where = vault.connection.address

    async def read(self, path: str, version: int | None = None) -> StoredValues:
        """The values of `version` (the latest by default); a deleted or destroyed version
        is not found, as with hvac's `raise_on_deleted_version`."""
        api_path = hvac.utils.format_url(
            "/v1/{mount_point}/data/{path}", mount_point=self.mount, path=path
        )
        params = {"version": str(version)} if version is not None else {}
        with self._translated(path):
            answer = (await self._vault.get(api_path, params))["data"]
        return StoredValues(int(answer["metadata"]["version"]), dict(answer["data"]))

    async def close(self) -> None:
        await self._vault.close()

    async def write(self, path: str, values: dict[str, str], expected_version: int) -> int:
        """Write a new version; `expected_version` 0 means the path must not exist yet."""

        def write() -> int:
            kv = self._vault.client().secrets.kv.v2
            try:
                answer = kv.create_or_update_secret(
                    path, secret=values, cas=expected_version, mount_point=self.mount
                )
            except hvac.exceptions.InvalidRequest as exc:
                if "check-and-set" not in str(exc):
                    raise
                return self._already_written(path, values, expected_version)
            return int(answer["data"]["version"])

        return await self._call(write, path)

    def _already_written(self, path: str, values: dict[str, str], expected: int) -> int:
        kv = self._vault.client().secrets.kv.v2
        latest = kv.read_secret_version(
            path, mount_point=self.mount, raise_on_deleted_version=True
        )["data"]
        version = int(latest["metadata"]["version"])
        if version == expected + 1 and latest["data"] == values:
            return version
        raise Conflict(
            f"the secret changed in Vault: now version {version}, expected {expected}",
            current_version=version,
        )

    async def destroy(self, path: str) -> None:
        """Every version and the metadata; a path that is already gone is fine."""

        def destroy() -> None:
            kv = self._vault.client().secrets.kv.v2
            kv.delete_metadata_and_all_versions(path, mount_point=self.mount)

        await self._call(destroy, path)

    async def health(self) -> VaultHealth:
        def probe() -> VaultHealth:
            client = self._vault.client()
            return "sealed" if client.sys.read_seal_status()["sealed"] else "ok"

        try:
            return await asyncio.to_thread(probe)
        except hvac.exceptions.VaultDown:
            return "sealed"
        except (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized):
            return "denied"
        except (requests.RequestException, hvac.exceptions.VaultError):
            return "unreachable"

    async def _call(self, operation: Callable[[], T], path: str) -> T:
        with self._translated(path):
            return await asyncio.to_thread(operation)

    @contextmanager
    def _translated(self, path: str) -> Iterator[None]:
        try:
            yield
        except hvac.exceptions.InvalidPath:
            raise NotFound(f"no secret at {path}") from None
        except hvac.exceptions.VaultDown:
            raise self._unavailable("is sealed", "sealed") from None
        except (hvac.exceptions.Forbidden, hvac.exceptions.Unauthorized):
            self._vault.forget_login()
            raise self._unavailable("refused Keel's credentials", "denied") from None
        except (requests.RequestException, aiohttp.ClientError, TimeoutError):
            raise self._unavailable("cannot be reached", "unreachable") from None
        except hvac.exceptions.VaultError as exc:
            raise self._unavailable(f"failed: {type(exc).__name__}", "error") from None

    def _unavailable(self, what: str, cause: str) -> ServiceUnavailable:
        return ServiceUnavailable(f"the Vault at {self._where} {what}", cause=cause, retry_after=5)


def vault_path(prefix: str, name: str) -> str:
    return f"{prefix.rstrip('/')}/{name}"

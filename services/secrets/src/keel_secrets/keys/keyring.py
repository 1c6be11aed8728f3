"""The key-encryption keys: one that wraps, and older ones that still unwrap.

A key-encryption key is either a 32-byte key from configuration or a key held by Vault's
Transit engine (which never lets the key out: wrapping and unwrapping are Vault calls).

Rotation without downtime: configure the new key as current and the old one as previous
on every instance, run `keel-secrets rotate-kek` to re-wrap what the old key wrapped, then
drop the old key from the configuration. Moving from a configured key to Transit (or back)
is the same procedure.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Protocol

import hvac.exceptions
import requests

from keel_common.crypto.at_rest import KeyEncryptionKey, KeyUnwrapError
from keel_common.errors import ServiceUnavailable
from keel_secrets.vault.client import VaultSession


class Wrapper(Protocol):
    @property
    def id(self) -> str: ...

    async def wrap(self, plaintext: bytes, *, purpose: str) -> bytes: ...

    async def unwrap(self, wrapped: bytes, *, purpose: str) -> bytes: ...


class ConfiguredKey:
    """A key from configuration: AES-256-GCM in this process."""

    def __init__(self, key: KeyEncryptionKey) -> None:
        self._key = key

    @property
    def id(self) -> str:
        return self._key.fingerprint

    async def wrap(self, plaintext: bytes, *, purpose: str) -> bytes:
        return self._key.wrap(plaintext, purpose=purpose)

    async def unwrap(self, wrapped: bytes, *, purpose: str) -> bytes:
        return self._key.unwrap(wrapped, purpose=purpose)


def _framed(purpose: str, plaintext: bytes) -> bytes:
    label = purpose.encode()
    return len(label).to_bytes(2, "big") + label + plaintext


def _unframed(purpose: str, framed: bytes) -> bytes:
    size = int.from_bytes(framed[:2], "big")
    if framed[2 : 2 + size] != purpose.encode():
        raise KeyUnwrapError(f"cannot unwrap {purpose}: it was wrapped for something else")
    return framed[2 + size :]


class TransitKey:
    """A key in Vault's Transit engine. The purpose travels inside the (authenticated)
    ciphertext and is checked on the way out, so a wrapped value cannot pose as another."""

    def __init__(self, vault: VaultSession, name: str, mount: str = "transit") -> None:
        self._vault = vault
        self._name = name
        self._mount = mount

    @property
    def id(self) -> str:
        return f"transit:{self._mount}/{self._name}"

    async def wrap(self, plaintext: bytes, *, purpose: str) -> bytes:
        framed = base64.b64encode(_framed(purpose, plaintext)).decode()

        def encrypt() -> bytes:
            transit = self._vault.client().secrets.transit
            answer = transit.encrypt_data(self._name, framed, mount_point=self._mount)
            return str(answer["data"]["ciphertext"]).encode()

        return await self._call(encrypt)

    async def unwrap(self, wrapped: bytes, *, purpose: str) -> bytes:
        def decrypt() -> bytes:
            transit = self._vault.client().secrets.transit
            answer = transit.decrypt_data(self._name, wrapped.decode(), mount_point=self._mount)
            return base64.b64decode(answer["data"]["plaintext"])

        return _unframed(purpose, await self._call(decrypt))

    async def _call(self, operation: Callable[[], bytes]) -> bytes:
        try:
            return await asyncio.to_thread(operation)
        except (hvac.exceptions.VaultError, requests.RequestException) as exc:
            raise ServiceUnavailable(
                f"Vault Transit ({self.id}) failed: {type(exc).__name__}", retry_after=5
            ) from None


class KeyRing:
    def __init__(self, current: Wrapper, previous: list[Wrapper] | None = None) -> None:
        self.current = current
        self._by_id = {w.id: w for w in [*(previous or []), current]}

    @classmethod
    def from_text(cls, current: str, previous: str | None = None) -> KeyRing:
        return cls(ConfiguredKey(KeyEncryptionKey.from_text(current)), configured(previous))

    async def wrap(self, plaintext: bytes, *, purpose: str) -> tuple[str, bytes]:
        """The current key's id and the wrapped value."""
        return self.current.id, await self.current.wrap(plaintext, purpose=purpose)

    async def unwrap(self, kek_id: str, wrapped: bytes, *, purpose: str) -> bytes:
        key = self._by_id.get(kek_id)
        if key is None:
            raise KeyUnwrapError(f"key-encryption key {kek_id} is not configured")
        return await key.unwrap(wrapped, purpose=purpose)


def configured(keys: str | None) -> list[Wrapper]:
    """Comma-separated configured keys."""
    return [
        ConfiguredKey(KeyEncryptionKey.from_text(t.strip()))
        for t in (keys or "").split(",")
        if t.strip()
    ]

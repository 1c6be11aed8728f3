"""Key wrapping at rest: private keys and data keys encrypted under a key-encryption key.

AES-256-GCM with a random 96-bit nonce per value; the associated data names what the value
is (e.g. `signing-key:<kid>`), so a wrapped value cannot be swapped for another row's.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class KeyUnwrapError(Exception):
    """The value was not wrapped with this key-encryption key (or was altered)."""


class KeyEncryptionKey:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("a key-encryption key is 32 bytes (AES-256)")
        self._aead = AESGCM(key)
        # Names the key without revealing it, so a wrapped value records which key wrapped it.
        self.fingerprint = hashlib.sha256(b"keel-kek:" + key).hexdigest()[:16]

    @classmethod
    def from_text(cls, text: str) -> KeyEncryptionKey:
        """From base64url text, as configuration carries it."""
        try:
            return cls(base64.urlsafe_b64decode(text))
        except ValueError as exc:
            raise ValueError("the key-encryption key must be 32 bytes, base64url") from exc

    @staticmethod
    def generate_text() -> str:
        return base64.urlsafe_b64encode(os.urandom(32)).decode()

    def wrap(self, plaintext: bytes, *, purpose: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, plaintext, purpose.encode())

    def unwrap(self, wrapped: bytes, *, purpose: str) -> bytes:
        try:
            return self._aead.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], purpose.encode())
        except (InvalidTag, ValueError):
            raise KeyUnwrapError(f"cannot unwrap {purpose}") from None

"""Ed25519 signatures over exact bytes, for messages whose sender must be proven.

The control plane signs what it asks a relay to do and the relay signs its answers. A
signed message carries its body as text and the signature over those very bytes, so no
canonical-JSON rules are needed: the verifier checks the bytes first and parses second.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class BadSignature(Exception):
    """The signature does not match the body and the expected key."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def verify_key_to_text(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def verify_key_from_text(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(text))
    except ValueError:
        raise ValueError("not an Ed25519 public key") from None


def key_id(key: Ed25519PublicKey) -> str:
    """A short, stable name for a verification key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(body: str, key: Ed25519PrivateKey) -> str:
    return _b64(key.sign(body.encode()))


def verify(body: str, signature: str, key: Ed25519PublicKey) -> None:
    try:
        key.verify(base64.urlsafe_b64decode(signature), body.encode())
    except (InvalidSignature, ValueError):
        raise BadSignature("signature does not verify") from None


def private_key_to_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )

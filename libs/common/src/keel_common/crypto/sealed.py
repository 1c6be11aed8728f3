"""Values sealed to one recipient (HPKE, RFC 9180 base mode), so they can cross Kafka.

A credential (password, token, secret value) never travels in plaintext on a topic: the
sender seals it to the recipient's X25519 public key with X25519 + HKDF-SHA256 +
AES-256-GCM, using `cryptography`'s own HPKE. `context` is bound into the encryption (HPKE
`info`), so a value sealed for one purpose cannot be replayed into another.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import BaseModel, ConfigDict, Field

from keel_common.errors import InvalidInput

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


class Sealed(BaseModel):
    """Ciphertext for one recipient key (`kid`); safe to log, store and publish."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kid: str = Field(min_length=1, max_length=100)
    # HPKE `enc` followed by the AEAD ciphertext, base64url.
    data: str = Field(min_length=1, max_length=1_500_000)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def public_key_to_text(key: X25519PublicKey) -> str:
    return _b64(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def public_key_from_text(text: str) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(text))
    except ValueError:
        raise InvalidInput("not an X25519 public key") from None


def seal(plaintext: bytes, recipient: X25519PublicKey, *, kid: str, context: str) -> Sealed:
    return Sealed(kid=kid, data=_b64(SUITE.encrypt(plaintext, recipient, info=context.encode())))


def unseal(sealed: Sealed, private_key: X25519PrivateKey, *, context: str) -> bytes:
    """Open a value sealed to `private_key` for `context`; InvalidInput if it was not."""
    try:
        raw = base64.urlsafe_b64decode(sealed.data)
        return SUITE.decrypt(raw, private_key, info=context.encode())
    except (ValueError, InvalidTag):
        raise InvalidInput("a sealed value could not be opened by its recipient") from None


@dataclass(frozen=True)
class EphemeralKey:
    """A one-use key pair: the requester's half of a reply that carries values."""

    private: X25519PrivateKey

    @classmethod
    def generate(cls) -> EphemeralKey:
        return cls(X25519PrivateKey.generate())

    @property
    def public_text(self) -> str:
        return public_key_to_text(self.private.public_key())

    def open(self, sealed: Sealed, *, context: str) -> bytes:
        return unseal(sealed, self.private, context=context)


def seal_to_requester(plaintext: bytes, reply_key: str, *, context: str) -> Sealed:
    """Seal a reply value to the ephemeral key the requester sent along."""
    return seal(plaintext, public_key_from_text(reply_key), kid="ephemeral", context=context)

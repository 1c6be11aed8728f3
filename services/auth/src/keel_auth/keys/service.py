"""Creating, publishing and using the service's keys."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.keys import repository
from keel_auth.keys.models import ServiceKey
from keel_common.crypto.at_rest import KeyEncryptionKey
from keel_common.crypto.sealed import public_key_to_text

SIGNING = "signing"
SEALING = "sealing"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_signing_key(kek: KeyEncryptionKey) -> ServiceKey:
    kid = f"sig-{secrets.token_hex(8)}"
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    jwk = {
        "kty": "RSA",
        "kid": kid,
        "use": "sig",
        "alg": "RS256",
        "n": _b64(numbers.n),
        "e": _b64(numbers.e),
    }
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ServiceKey(
        kid=kid,
        kind=SIGNING,
        public_key=json.dumps(jwk, sort_keys=True),
        private_key_wrapped=kek.wrap(pem, purpose=f"{SIGNING}:{kid}"),
    )


def _new_sealing_key(kek: KeyEncryptionKey) -> ServiceKey:
    kid = f"seal-{secrets.token_hex(8)}"
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return ServiceKey(
        kid=kid,
        kind=SEALING,
        public_key=public_key_to_text(private.public_key()),
        private_key_wrapped=kek.wrap(raw, purpose=f"{SEALING}:{kid}"),
    )


@dataclass(frozen=True)
class SigningMaterial:
    kid: str
    private_pem: str


class KeyService:
    def __init__(self, kek: KeyEncryptionKey, access_token_ttl_s: int) -> None:
        self._kek = kek
        self._access_ttl = timedelta(seconds=access_token_ttl_s)

    async def ensure_keys(self, session: AsyncSession) -> None:
        """At start-up: make sure one signing and one sealing key are active."""
        if await repository.active(session, SIGNING) is None:
            await repository.add(session, _new_signing_key(self._kek))
        if await repository.active(session, SEALING) is None:
            await repository.add(session, _new_sealing_key(self._kek))

    async def rotate_signing_key(self, session: AsyncSession) -> str:
        """A new key signs from now on; the old one stays published until its tokens expire."""
        current = await repository.active(session, SIGNING)
        if current is not None:
            current.retired_at = datetime.now(UTC)
        key = _new_signing_key(self._kek)
        await repository.add(session, key)
        return key.kid

    async def signing_material(self, session: AsyncSession) -> SigningMaterial:
        key = await repository.active(session, SIGNING)
        if key is None:
            raise RuntimeError("no active signing key; ensure_keys() runs at start-up")
        pem = self._kek.unwrap(key.private_key_wrapped, purpose=f"{SIGNING}:{key.kid}")
        return SigningMaterial(kid=key.kid, private_pem=pem.decode())

    async def jwks(self, session: AsyncSession) -> list[dict[str, Any]]:
        cutoff = datetime.now(UTC) - self._access_ttl - timedelta(minutes=5)
        keys = await repository.published(session, SIGNING, cutoff)
        return [json.loads(k.public_key) for k in keys]

    async def sealing_public(self, session: AsyncSession) -> tuple[str, str]:
        key = await repository.active(session, SEALING)
        if key is None:
            raise RuntimeError("no active sealing key; ensure_keys() runs at start-up")
        return key.kid, key.public_key

    async def sealing_private(self, session: AsyncSession, kid: str) -> X25519PrivateKey | None:
        key = await repository.by_kid(session, kid)
        if key is None or key.kind != SEALING:
            return None
        raw = self._kek.unwrap(key.private_key_wrapped, purpose=f"{SEALING}:{kid}")
        return X25519PrivateKey.from_private_bytes(raw)

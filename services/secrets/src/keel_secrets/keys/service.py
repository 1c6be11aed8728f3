"""The service's sealing and signing keys: created once, then loaded at every start."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.secrets import ValueKeyView, values_context
from keel_common.crypto import signing
from keel_common.crypto.sealed import Sealed, public_key_to_text, unseal
from keel_common.errors import Conflict, InvalidInput
from keel_secrets.keys.keyring import KeyRing
from keel_secrets.keys.models import ServiceKey

SEALING = "sealing"
SIGNING = "signing"


@dataclass(frozen=True)
class LoadedKeys:
    sealing_kid: str
    sealing: X25519PrivateKey
    signing_kid: str
    signing: Ed25519PrivateKey


def _raw(private: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


class ServiceKeys:
    def __init__(self, keyring: KeyRing) -> None:
        self._keyring = keyring
        self._loaded: LoadedKeys | None = None

    @property
    def loaded(self) -> LoadedKeys:
        if self._loaded is None:
            raise RuntimeError("keys are loaded at start (ensure_keys)")
        return self._loaded

    async def ensure_keys(self, session: AsyncSession) -> None:
        """Create the keys on first start (instances racing is fine), then load them."""
        sealing = X25519PrivateKey.generate()
        signer = Ed25519PrivateKey.generate()
        fresh = [
            (
                SEALING,
                f"seal-{secrets.token_hex(8)}",
                public_key_to_text(sealing.public_key()),
                _raw(sealing),
            ),
            (
                SIGNING,
                signing.key_id(signer.public_key()),
                signing.verify_key_to_text(signer.public_key()),
                _raw(signer),
            ),
        ]
        for kind, kid, public, private in fresh:
            kek_id, wrapped = await self._keyring.wrap(private, purpose=f"{kind}:{kid}")
            await session.execute(
                insert(ServiceKey)
                .values(
                    kind=kind,
                    kid=kid,
                    public_key=public,
                    kek_id=kek_id,
                    private_key_wrapped=wrapped,
                )
                .on_conflict_do_nothing(index_elements=["kind"])
            )
        stored = {k.kind: k for k in (await session.execute(select(ServiceKey))).scalars()}
        self._loaded = LoadedKeys(
            sealing_kid=stored[SEALING].kid,
            sealing=X25519PrivateKey.from_private_bytes(await self._unwrap(stored[SEALING])),
            signing_kid=stored[SIGNING].kid,
            signing=Ed25519PrivateKey.from_private_bytes(await self._unwrap(stored[SIGNING])),
        )

    async def _unwrap(self, key: ServiceKey) -> bytes:
        return await self._keyring.unwrap(
            key.kek_id, key.private_key_wrapped, purpose=f"{key.kind}:{key.kid}"
        )

    def value_key(self) -> ValueKeyView:
        keys = self.loaded
        return ValueKeyView(
            kid=keys.sealing_kid, public_key=public_key_to_text(keys.sealing.public_key())
        )

    def verify_key_text(self) -> str:
        return signing.verify_key_to_text(self.loaded.signing.public_key())

    def open_values(self, sealed: Sealed, workspace: uuid.UUID) -> dict[str, str]:
        """Values the gateway sealed to this service for `workspace`."""
        if sealed.kid != self.loaded.sealing_kid:
            raise Conflict("values are sealed to a key this workspace does not use", stale_key=True)
        raw = unseal(sealed, self.loaded.sealing, context=values_context(workspace))
        return decode_values(raw)

    def sign(self, body: str) -> str:
        return signing.sign(body, self.loaded.signing)


def decode_values(raw: bytes) -> dict[str, str]:
    try:
        decoded = json.loads(raw)
    except ValueError:
        raise InvalidInput("sealed values are not a JSON object") from None
    if not isinstance(decoded, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in decoded.items()
    ):
        raise InvalidInput("sealed values must map names to strings")
    return decoded


def encode_values(values: dict[str, str]) -> bytes:
    return json.dumps(values, separators=(",", ":"), sort_keys=True).encode()

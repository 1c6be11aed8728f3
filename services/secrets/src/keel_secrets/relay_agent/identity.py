"""The relay's own keys and what it learned at enrollment, kept under its state directory.

Keys are generated here and never leave: only the public halves are sent to the control
plane. The control plane's verification key comes from the enrollment bundle (handed over
by the admin who registered the relay) and is pinned from then on.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from keel_common.contracts.relay import (
    EnrollmentBundle,
    RelayEnroll,
    enrollment_proof,
    token_digest,
)
from keel_common.crypto import signing
from keel_common.crypto.sealed import public_key_to_text

STATE_FILE = "relay.json"


def _raw(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


@dataclass(frozen=True)
class Identity:
    relay_id: uuid.UUID
    workspace_id: uuid.UUID
    control_plane_key: Ed25519PublicKey
    signing_key: Ed25519PrivateKey
    sealing_key: X25519PrivateKey
    # Set until the enrollment has been sent; the proof needs the token.
    pending_token: str | None

    @property
    def control_plane_key_id(self) -> str:
        return signing.key_id(self.control_plane_key)

    @classmethod
    def load_or_enroll(cls, state_dir: Path, bundle_text: str | None) -> Identity:
        """The stored identity, or a new one made from `bundle_text` (first start)."""
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = state_dir / STATE_FILE
        bundle = EnrollmentBundle.from_text(bundle_text) if bundle_text else None
        if path.exists():
            identity = cls._read(path)
            if bundle is not None and bundle.relay_id != identity.relay_id:
                raise SystemExit(
                    f"{path} belongs to relay {identity.relay_id}, the enrollment bundle to "
                    f"{bundle.relay_id}; use another state directory"
                )
            return identity
        if bundle is None:
            raise SystemExit(
                "not enrolled: set KEEL_RELAY_ENROLLMENT to the bundle from `keel relay register`"
            )
        identity = cls(
            relay_id=bundle.relay_id,
            workspace_id=bundle.workspace_id,
            control_plane_key=signing.verify_key_from_text(bundle.control_plane_key),
            signing_key=Ed25519PrivateKey.generate(),
            sealing_key=X25519PrivateKey.generate(),
            pending_token=bundle.token,
        )
        identity.save(path)
        return identity

    @classmethod
    def _read(cls, path: Path) -> Identity:
        stored = json.loads(path.read_text())
        return cls(
            relay_id=uuid.UUID(stored["relay_id"]),
            workspace_id=uuid.UUID(stored["workspace_id"]),
            control_plane_key=signing.verify_key_from_text(stored["control_plane_key"]),
            signing_key=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(stored["signing_key"])),
            sealing_key=X25519PrivateKey.from_private_bytes(bytes.fromhex(stored["sealing_key"])),
            pending_token=stored.get("pending_token"),
        )

    def save(self, path: Path) -> None:
        stored = {
            "relay_id": str(self.relay_id),
            "workspace_id": str(self.workspace_id),
            "control_plane_key": signing.verify_key_to_text(self.control_plane_key),
            "signing_key": _raw(self.signing_key).hex(),
            "sealing_key": _raw(self.sealing_key).hex(),
            "pending_token": self.pending_token,
        }
        _write_private(path, json.dumps(stored, indent=2))

    def enrollment(self) -> RelayEnroll:
        assert self.pending_token is not None
        verify_key = signing.verify_key_to_text(self.signing_key.public_key())
        sealing_key = public_key_to_text(self.sealing_key.public_key())
        proof = enrollment_proof(
            token_digest(self.pending_token), self.relay_id, verify_key, sealing_key
        )
        return RelayEnroll(
            relay_id=self.relay_id, verify_key=verify_key, sealing_key=sealing_key, proof=proof
        )

    def enrolled(self, state_dir: Path) -> Identity:
        """Forget the token once the control plane has shown it knows our keys (its first
        signed request); until then each start sends the enrollment again."""
        done = Identity(
            self.relay_id,
            self.workspace_id,
            self.control_plane_key,
            self.signing_key,
            self.sealing_key,
            None,
        )
        done.save(state_dir / STATE_FILE)
        return done

    def sign(self, body: str) -> str:
        return signing.sign(body, self.signing_key)

"""The key-encryption keys: one that wraps, and older ones that still unwrap.

Rotation without downtime: configure the new key as current and the old one as previous
on every instance, run `keel-secrets rotate-kek` to re-wrap what the old key wrapped, then
drop the old key from the configuration.
"""

from __future__ import annotations

from keel_common.crypto.at_rest import KeyEncryptionKey, KeyUnwrapError


class KeyRing:
    def __init__(self, current: KeyEncryptionKey, previous: list[KeyEncryptionKey]) -> None:
        self.current = current
        self._by_id = {k.fingerprint: k for k in [*previous, current]}

    @classmethod
    def from_text(cls, current: str, previous: str | None) -> KeyRing:
        older = [KeyEncryptionKey.from_text(t.strip()) for t in (previous or "").split(",") if t]
        return cls(KeyEncryptionKey.from_text(current), older)

    def wrap(self, plaintext: bytes, *, purpose: str) -> tuple[str, bytes]:
        """The current key's id and the wrapped value."""
        return self.current.fingerprint, self.current.wrap(plaintext, purpose=purpose)

    def unwrap(self, kek_id: str, wrapped: bytes, *, purpose: str) -> bytes:
        key = self._by_id.get(kek_id)
        if key is None:
            raise KeyUnwrapError(f"key-encryption key {kek_id} is not configured")
        return key.unwrap(wrapped, purpose=purpose)

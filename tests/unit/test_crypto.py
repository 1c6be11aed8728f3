"""Sealed values open only for their recipient and context; wrapped keys only with their KEK."""

from __future__ import annotations

import pytest

from keel_common.crypto.at_rest import KeyEncryptionKey, KeyUnwrapError
from keel_common.crypto.sealed import EphemeralKey, Sealed, seal_to_requester
from keel_common.errors import InvalidInput


def test_sealed_value_opens_for_its_recipient_and_hides_the_plaintext() -> None:
    requester = EphemeralKey.generate()
    sealed = seal_to_requester(b"s3cr3t-value", requester.public_text, context="test.reply")
    assert b"s3cr3t-value" not in sealed.model_dump_json().encode()
    assert requester.open(sealed, context="test.reply") == b"s3cr3t-value"


def test_sealed_value_refuses_another_key_or_context_or_tampering() -> None:
    requester = EphemeralKey.generate()
    sealed = seal_to_requester(b"value", requester.public_text, context="a")
    with pytest.raises(InvalidInput):
        EphemeralKey.generate().open(sealed, context="a")
    with pytest.raises(InvalidInput):
        requester.open(sealed, context="b")
    flipped = sealed.data[:-4] + ("AAAA" if not sealed.data.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidInput):
        requester.open(Sealed(kid=sealed.kid, data=flipped), context="a")


def test_wrapped_key_needs_the_same_kek_and_purpose() -> None:
    kek = KeyEncryptionKey.from_text(KeyEncryptionKey.generate_text())
    wrapped = kek.wrap(b"private key bytes", purpose="signing-key:k1")
    assert b"private key bytes" not in wrapped
    assert kek.unwrap(wrapped, purpose="signing-key:k1") == b"private key bytes"
    with pytest.raises(KeyUnwrapError):
        kek.unwrap(wrapped, purpose="signing-key:k2")
    with pytest.raises(KeyUnwrapError):
        KeyEncryptionKey.from_text(KeyEncryptionKey.generate_text()).unwrap(
            wrapped, purpose="signing-key:k1"
        )

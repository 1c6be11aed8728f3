"""What makes two requests "the same" for an Idempotency-Key, and which replies may be
shown again (keel_common.bus.idempotency): pure logic."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from keel_common.bus.idempotency import fingerprint_of, holds_sealed, scope_of
from keel_common.contracts.base import Envelope
from keel_common.crypto.sealed import Sealed


def _envelope(payload: dict[str, object], key: str | None = "k1", **fields: object) -> Envelope:
    return Envelope(
        type="keel.test.create", version=1, payload=payload, idempotency_key=key, **fields
    )


def test_a_retry_that_seals_afresh_is_the_same_request() -> None:
    first = _envelope({"name": "db", "values": {"kid": "a", "data": "x1"}, "reply_key": "r1"})
    retry = _envelope({"name": "db", "values": {"kid": "a", "data": "x2"}, "reply_key": "r2"})
    assert fingerprint_of(first) == fingerprint_of(retry)


def test_any_other_difference_is_another_request() -> None:
    first = _envelope({"name": "db", "tags": ["a", "b"], "size": 1})
    for other in ({"name": "db2", "tags": ["a", "b"], "size": 1},
                  {"name": "db", "tags": ["b", "a"], "size": 1},
                  {"name": "db", "tags": ["a", "b"], "size": 2}):  # fmt: skip
        assert fingerprint_of(_envelope(other)) != fingerprint_of(first)
    reordered = _envelope({"size": 1, "tags": ["a", "b"], "name": "db"})
    assert fingerprint_of(reordered) == fingerprint_of(first)


def test_keys_are_scoped_to_caller_workspace_and_request_type() -> None:
    workspace = uuid.uuid4()
    mine = scope_of(_envelope({}, actor="user:a", workspace=workspace))
    assert mine is not None
    assert scope_of(_envelope({}, actor="user:b", workspace=workspace)) != mine
    assert scope_of(_envelope({}, actor="user:a", workspace=uuid.uuid4())) != mine
    assert scope_of(_envelope({}, key=None, actor="user:a", workspace=workspace)) is None


class _Created(BaseModel):
    id: int
    secret: Sealed | None = None
    nested: list[dict[str, Sealed]] = []


def test_a_reply_with_anything_sealed_is_not_kept_for_replay() -> None:
    sealed = Sealed(kid="k", data="ZGF0YQ")
    assert not holds_sealed(_Created(id=1))
    assert holds_sealed(_Created(id=1, secret=sealed))
    assert holds_sealed(_Created(id=1, nested=[{"a": sealed}]))


def test_an_envelope_without_a_key_is_written_as_before_keys_existed() -> None:
    # Consumers refuse unknown fields: a record without a key must not name the field, so
    # a relay of the previous release still reads the control plane's requests.
    assert "idempotency_key" not in _envelope({}, key=None).model_dump_json()
    keyed = Envelope.model_validate_json(_envelope({}, key="k1").model_dump_json())
    assert keyed.idempotency_key == "k1"

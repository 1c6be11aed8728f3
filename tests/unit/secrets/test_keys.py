"""Key-encryption keys, relay status and request steering: pure logic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from keel_common.crypto.at_rest import KeyEncryptionKey, KeyUnwrapError
from keel_secrets.keys.keyring import KeyRing
from keel_secrets.relays.models import RelayInstance
from keel_secrets.relays.status import pick_partition

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


async def test_a_keyring_wraps_with_the_current_key_and_unwraps_with_older_ones() -> None:
    old, new = KeyEncryptionKey.generate_text(), KeyEncryptionKey.generate_text()
    before = KeyRing.from_text(old, None)
    kek_id, wrapped = await before.wrap(b"data key", purpose="data-key:w")
    after = KeyRing.from_text(new, old)
    assert await after.unwrap(kek_id, wrapped, purpose="data-key:w") == b"data key"
    rewrapped_id, _ = await after.wrap(b"data key", purpose="data-key:w")
    assert rewrapped_id != kek_id
    with pytest.raises(KeyUnwrapError, match="not configured"):
        await KeyRing.from_text(new, None).unwrap(kek_id, wrapped, purpose="data-key:w")
    with pytest.raises(KeyUnwrapError):
        await after.unwrap(kek_id, wrapped, purpose="data-key:other-workspace")


def _instance(name: str, age_s: float, partitions: list[int]) -> RelayInstance:
    return RelayInstance(
        relay_id=uuid.uuid4(),
        instance=name,
        partitions=partitions,
        last_heartbeat_at=NOW - timedelta(seconds=age_s),
        vault="ok",
        version="1",
    )


def test_requests_are_steered_to_partitions_of_live_replicas() -> None:
    fresh = timedelta(seconds=3)
    replicas = [_instance("a", 10, [0, 1]), _instance("b", 0.5, [2])]
    assert pick_partition(replicas, NOW, fresh, set()) == 2
    assert pick_partition(replicas, NOW, fresh, {2}) is None
    both = [_instance("a", 1, [0, 1]), _instance("b", 1, [2])]
    assert {pick_partition(both, NOW, fresh, {2}) for _ in range(50)} == {0, 1}

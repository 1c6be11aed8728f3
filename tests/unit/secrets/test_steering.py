"""Relay steering: a replica that left a command unanswered is avoided by every request
until it heartbeats again."""

from __future__ import annotations

import uuid
from datetime import timedelta

from keel_common.contracts.base import utcnow
from keel_secrets.relays.steering import Replica, Steering

RELAY = uuid.uuid4()


def test_an_unanswered_partition_sidelines_its_replica_until_it_heartbeats() -> None:
    steering = Steering(fresh=timedelta(seconds=3), ttl_s=0.5)
    now = utcnow()
    a, b = Replica("a", now, [0, 1]), Replica("b", now, [2])
    steering.note_reports(RELAY, [a, b])
    assert {steering.pick(RELAY, [a, b], set()) for _ in range(50)} == {0, 1, 2}

    steering.unanswered(RELAY, 0)
    # Both of a's partitions are avoided, for any request, not only the one that waited.
    assert {steering.pick(RELAY, [a, b], set()) for _ in range(50)} == {2}
    assert steering.pick(RELAY, [a, b], {2}) is None  # the producer chooses

    spoke_again = Replica("a", utcnow() + timedelta(milliseconds=1), [0, 1])
    assert {steering.pick(RELAY, [spoke_again, b], {2}) for _ in range(50)} == {0, 1}


def test_silence_is_remembered_per_relay() -> None:
    steering = Steering(fresh=timedelta(seconds=3), ttl_s=0.5)
    other = uuid.uuid4()
    now = utcnow()
    replicas = [Replica("a", now, [0]), Replica("b", now, [1])]
    steering.note_reports(RELAY, replicas)
    steering.note_reports(other, replicas)
    steering.unanswered(RELAY, 0)
    assert {steering.pick(other, replicas, set()) for _ in range(50)} == {0, 1}

"""Envelope and trace-context rules that every message relies on."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError

from keel_common.bus.tracing import TraceContext, continue_trace, current_trace, reset_trace
from keel_common.contracts.base import Envelope, utcnow
from keel_common.contracts.health import Pong


def test_envelope_round_trips_through_bytes() -> None:
    workspace = uuid.uuid4()
    envelope = Envelope.wrap(
        Pong(service="auth", instance="i", database=True, version="1"),
        workspace=workspace,
        actor="user:1",
    )
    again = Envelope.model_validate_json(envelope.to_bytes())
    assert again == envelope
    assert again.open(Pong).service == "auth"
    assert again.headers() == {
        "keel-type": "keel.health.pong",
        "keel-version": "1",
        "keel-message-id": str(envelope.id),
    }


def test_follow_up_keeps_correlation_and_points_at_its_cause() -> None:
    cause = Envelope.wrap(
        Pong(service="a", instance="i", database=True, version="1"), actor="user:1"
    )
    effect = cause.caused(Pong(service="b", instance="i", database=True, version="1"))
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.id
    assert effect.actor == "user:1"
    assert effect.id != cause.id


def test_envelope_rejects_unknown_fields_and_naive_times() -> None:
    with pytest.raises(ValidationError):
        Envelope.model_validate({"type": "x", "version": 1, "payload": {}, "surprise": 1})
    with pytest.raises(ValidationError):
        Envelope.model_validate(
            {"type": "x", "version": 1, "payload": {}, "occurred_at": "2026-01-01T00:00:00"}
        )


def test_expiry() -> None:
    envelope = Envelope(type="x", version=1, payload={}, expires_at=utcnow() + timedelta(seconds=1))
    assert not envelope.expired()
    assert envelope.expired(utcnow() + timedelta(seconds=2))


def test_trace_context_continues_a_valid_parent_and_replaces_an_invalid_one() -> None:
    parent = TraceContext.new_root()
    token = continue_trace(parent.header())
    try:
        child = current_trace()
        assert child is not None
        assert child.trace_id == parent.trace_id
        assert child.span_id != parent.span_id
    finally:
        reset_trace(token)
    for bad in ("garbage", "00-" + "0" * 32 + "-" + "1" * 16 + "-01", None):
        token = continue_trace(bad)
        try:
            fresh = current_trace()
            assert fresh is not None and fresh.trace_id != "0" * 32
        finally:
            reset_trace(token)

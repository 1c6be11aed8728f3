"""The one place a FastStream KafkaBroker is configured, per broker profile."""

from __future__ import annotations

import logging
import ssl
from typing import Any, NamedTuple

from aiokafka.helpers import create_ssl_context
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLScram512

from keel_common.settings import BusSettings


def _ssl_context(settings: BusSettings) -> ssl.SSLContext | None:
    if settings.ssl_cafile is None:
        return None
    context: ssl.SSLContext = create_ssl_context(cafile=settings.ssl_cafile)
    return context


def client_security_kwargs(settings: BusSettings) -> dict[str, Any]:
    """TLS and SASL/SCRAM for raw aiokafka clients (admin, reply listener), when configured."""
    context = _ssl_context(settings)
    kwargs: dict[str, Any] = {}
    if context is not None:
        kwargs = {"security_protocol": "SSL", "ssl_context": context}
    if settings.sasl_username is None or settings.sasl_password is None:
        return kwargs
    return {
        **kwargs,
        "security_protocol": "SASL_SSL" if context else "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": settings.sasl_username,
        "sasl_plain_password": settings.sasl_password.get_secret_value(),
    }


class GroupTiming(NamedTuple):
    session_timeout_ms: int
    heartbeat_interval_ms: int


def group_timing(settings: BusSettings) -> GroupTiming:
    """Consumer-group session settings for subscribers.

    Tansu answers a JoinGroup only after half the session timeout, so Kafka's 10 s default
    makes every consumer start take 5 s there; 3 s keeps it near 1.5 s. Apache Kafka
    answers at once (with `group.initial.rebalance.delay.ms=0`) and keeps the default,
    which tolerates a busy event loop better.
    """
    if settings.profile == "tansu":
        return GroupTiming(session_timeout_ms=3000, heartbeat_interval_ms=1000)
    return GroupTiming(session_timeout_ms=10000, heartbeat_interval_ms=3000)


def make_broker(settings: BusSettings, client_id: str) -> KafkaBroker:
    context = _ssl_context(settings)
    security: BaseSecurity | None = BaseSecurity(ssl_context=context) if context else None
    if settings.sasl_username is not None and settings.sasl_password is not None:
        security = SASLScram512(
            username=settings.sasl_username,
            password=settings.sasl_password.get_secret_value(),
            ssl_context=context,
        )
    # Tansu refuses InitProducerId, so an idempotent producer cannot start there. On Apache
    # Kafka we want it: retried sends then cannot duplicate or reorder records.
    idempotent = settings.profile == "kafka"
    return KafkaBroker(
        settings.bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=idempotent,
        linger_ms=0,
        security=security,
        # FastStream logs every message at the broker's log level; per-message lines are
        # debug detail, not operational signal.
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
    )

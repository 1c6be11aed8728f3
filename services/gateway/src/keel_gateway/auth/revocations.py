"""Every gateway instance listens to the auth service's events to drop what it cached.

Each instance must see every event, so the subscriber joins no consumer group; it starts
at the end of the topic because a fresh instance has nothing cached to drop.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy
from pydantic import ValidationError

from keel_common.bus.topics import events_topic
from keel_common.contracts.auth import ApiKeyRevoked
from keel_common.contracts.base import Envelope
from keel_common.logging import get_logger
from keel_common.settings import BusSettings
from keel_gateway.auth.api_keys import ApiKeyCache
from keel_gateway.auth.permissions import PermissionCache

log = get_logger(__name__)


def subscribe_revocations(
    broker: KafkaBroker, settings: BusSettings, api_keys: ApiKeyCache, permissions: PermissionCache
) -> None:
    async def on_event(message: KafkaMessage) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
            if envelope.type == ApiKeyRevoked.TYPE:
                revoked = envelope.open(ApiKeyRevoked)
                api_keys.revoke(revoked.key_id)
                permissions.forget(f"service_account:{revoked.service_account_id}")
        except ValidationError:
            # The auth service's own consumers dead-letter bad records; here we only skip.
            log.warning("unreadable auth event skipped")

    broker.subscriber(
        events_topic("auth"),
        group_id=None,
        auto_offset_reset="latest",
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        ack_policy=AckPolicy.MANUAL,
        no_reply=True,
        title="gateway:auth-events",
    )(on_event)

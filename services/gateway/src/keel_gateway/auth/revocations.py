"""Every gateway instance listens to the auth service's events to drop what it cached.

Each instance must see every event, so the subscriber joins no consumer group; it starts
at the end of the topic because a fresh instance has nothing cached to drop.
"""

from __future__ import annotations

import time

from faststream.kafka import KafkaBroker
from faststream.middlewares import AckPolicy
from pydantic import ValidationError

from keel_common.bus.message import KafkaMessage
from keel_common.bus.topics import events_topic
from keel_common.contracts.auth import ApiKeyRevoked, RoleBindingChanged, UserDeactivated
from keel_common.contracts.base import Envelope
from keel_common.logging import get_logger
from keel_common.settings import BusSettings
from keel_gateway.auth.api_keys import ApiKeyCache
from keel_gateway.auth.permissions import PermissionCache

log = get_logger(__name__)

# Longer than any access token lives: after that, the token itself has expired.
_DENY_FOR_S = 24 * 3600.0


class DeactivatedUsers:
    """Subjects whose still-unexpired access tokens must be refused."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def add(self, subject: str) -> None:
        self._until[subject] = time.monotonic() + _DENY_FOR_S

    def __contains__(self, subject: object) -> bool:
        until = self._until.get(str(subject))
        return until is not None and until > time.monotonic()


def subscribe_revocations(
    broker: KafkaBroker,
    settings: BusSettings,
    *,
    api_keys: ApiKeyCache,
    permissions: PermissionCache,
    deactivated: DeactivatedUsers,
) -> None:
    async def on_event(message: KafkaMessage) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
            if envelope.type == ApiKeyRevoked.TYPE:
                revoked = envelope.open(ApiKeyRevoked)
                api_keys.revoke(revoked.key_id)
                permissions.forget(f"service_account:{revoked.service_account_id}")
            elif envelope.type == UserDeactivated.TYPE:
                subject = f"user:{envelope.open(UserDeactivated).user_id}"
                deactivated.add(subject)
                permissions.forget(subject)
            elif envelope.type == RoleBindingChanged.TYPE:
                permissions.forget(envelope.open(RoleBindingChanged).subject)
        except ValidationError:
            # The auth service's own consumers dead-letter bad records; here we only skip.
            log.warning("unreadable auth event skipped")

    broker.subscriber(
        events_topic("auth"),
        group_id=None,
        auto_offset_reset="latest",
        fetch_max_wait_ms=settings.event_fetch_wait_ms(),
        ack_policy=AckPolicy.MANUAL,
        no_reply=True,
        title="gateway:auth-events",
    )(on_event)

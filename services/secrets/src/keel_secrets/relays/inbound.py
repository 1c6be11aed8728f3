"""`keel.relays`: what relays send on their own initiative, enrollment and heartbeats.

Anything that does not prove itself (bad proof, bad signature, unknown relay) raises
InvalidInput and is parked in the dead-letter topic with its reason.
"""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from keel_common.audit.record import audit
from keel_common.bus.events import subscribe_events
from keel_common.contracts.base import Envelope
from keel_common.contracts.relay import RELAY_INBOUND, RelayEnroll, RelayHeartbeat
from keel_common.db.database import Database
from keel_common.errors import InvalidInput
from keel_common.logging import get_logger
from keel_common.settings import BusSettings
from keel_secrets.relays import service

log = get_logger(__name__)


def subscribe_relay_inbound(broker: KafkaBroker, bus: BusSettings, db: Database) -> None:
    async def handle(envelope: Envelope) -> None:
        if envelope.type == RelayHeartbeat.TYPE:
            async with db.transaction() as session:
                await service.heartbeat(session, envelope.open(RelayHeartbeat))
            return
        if envelope.type != RelayEnroll.TYPE:
            raise InvalidInput(f"{envelope.type} does not belong on {RELAY_INBOUND}")
        request = envelope.open(RelayEnroll)
        target = f"relay:{request.relay_id}"
        try:
            async with db.transaction() as session:
                relay = await service.enroll(session, request)
                await audit(
                    session,
                    "relay.enroll",
                    "success",
                    actor=target,
                    target=target,
                    request_id=None,
                    workspace=relay.workspace_id,
                )
            log.info("relay enrolled", relay=relay.name, relay_id=str(relay.id))
        except InvalidInput as refused:
            async with db.transaction() as session:
                await audit(
                    session,
                    "relay.enroll",
                    "denied",
                    actor=target,
                    target=target,
                    request_id=None,
                    reason=refused.detail,
                    workspace=envelope.workspace,
                )
            raise

    subscribe_events(
        broker, bus, topics=[RELAY_INBOUND], group_id="keel-secrets-relays", handler=handle
    )

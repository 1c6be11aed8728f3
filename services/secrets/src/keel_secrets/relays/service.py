"""Registering relays, enrolling their keys, and taking their heartbeats. Takes a session;
never commits."""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.contracts.relay import (
    EnrollmentBundle,
    HeartbeatBody,
    RelayEnroll,
    RelayHeartbeat,
    enrollment_proof,
    token_digest,
)
from keel_common.contracts.secrets import RelayView
from keel_common.crypto import signing
from keel_common.crypto.sealed import public_key_from_text
from keel_common.errors import Conflict, InvalidInput, NotFound
from keel_secrets.relays import repository
from keel_secrets.relays.models import Relay
from keel_secrets.relays.status import instance_views, last_heartbeat, relay_status

# A heartbeat claiming a time further than this from ours is refused: it is a replay, or
# the relay's clock is wrong (which would break request expiry too).
CLOCK_TOLERANCE = timedelta(seconds=60)


@dataclass(frozen=True)
class Registered:
    relay: Relay
    bundle: EnrollmentBundle


async def register(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    actor: str,
    name: str,
    *,
    control_plane_key: str,
    ttl: timedelta,
) -> Registered:
    if await repository.by_name(session, workspace_id, name) is not None:
        raise Conflict(f"a relay named {name!r} already exists", field="name")
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + ttl
    relay = await repository.add(
        session,
        Relay(
            workspace_id=workspace_id,
            name=name,
            created_by=actor,
            token_digest=token_digest(token),
            token_expires_at=expires_at,
        ),
    )
    bundle = EnrollmentBundle(
        relay_id=relay.id,
        workspace_id=workspace_id,
        token=token,
        control_plane_key=control_plane_key,
        expires_at=expires_at,
    )
    return Registered(relay, bundle)


async def enroll(session: AsyncSession, request: RelayEnroll) -> Relay:
    """Accept a relay's public keys if its proof matches its one-time token."""
    relay = await repository.get(session, request.relay_id, for_update=True)
    if relay is None:
        raise InvalidInput("enrollment for an unknown relay")
    if relay.verify_key == request.verify_key and relay.sealing_key == request.sealing_key:
        return relay  # the same enrollment, delivered again
    if relay.token_digest is None or relay.token_expires_at is None:
        raise InvalidInput(f"relay {relay.name} has no enrollment token left")
    if relay.token_expires_at <= datetime.now(UTC):
        raise InvalidInput(f"the enrollment token of relay {relay.name} has expired")
    expected = enrollment_proof(
        relay.token_digest, relay.id, request.verify_key, request.sealing_key
    )
    if not hmac.compare_digest(expected, request.proof):
        raise InvalidInput(f"enrollment proof for relay {relay.name} does not match its token")
    try:
        signing.verify_key_from_text(request.verify_key)
        public_key_from_text(request.sealing_key)
    except (ValueError, InvalidInput):
        raise InvalidInput("enrollment carries malformed public keys") from None
    relay.verify_key = request.verify_key
    relay.sealing_key = request.sealing_key
    relay.enrolled_at = datetime.now(UTC)
    relay.token_digest = None
    relay.token_expires_at = None
    await session.flush()
    return relay


async def heartbeat(session: AsyncSession, message: RelayHeartbeat) -> None:
    relay = await repository.get(session, message.relay_id)
    if relay is None or relay.verify_key is None:
        raise InvalidInput("heartbeat from a relay that is not enrolled")
    try:
        signing.verify(
            message.body, message.signature, signing.verify_key_from_text(relay.verify_key)
        )
    except signing.BadSignature:
        raise InvalidInput(f"heartbeat for relay {relay.name} is not signed by its key") from None
    body = HeartbeatBody.model_validate_json(message.body)
    now = datetime.now(UTC)
    if body.relay_id != relay.id or abs(now - body.sent_at) > CLOCK_TOLERANCE:
        raise InvalidInput(f"heartbeat for relay {relay.name} is stale or misaddressed")
    await repository.record_heartbeat(session, body, now)


async def in_workspace(
    session: AsyncSession, workspace_id: uuid.UUID, relay_id: uuid.UUID
) -> Relay:
    relay = await repository.get(session, relay_id)
    if relay is None or relay.workspace_id != workspace_id:
        raise NotFound("no such relay in this workspace")
    return relay


async def views(
    session: AsyncSession, relays: Sequence[Relay], offline_after: timedelta
) -> list[RelayView]:
    """Relays with the status of their replicas, in one query for all of them."""
    instances = await repository.instances(session, [r.id for r in relays])
    now = datetime.now(UTC)
    result = []
    for relay in relays:
        mine = [i for i in instances if i.relay_id == relay.id]
        replicas = instance_views(mine, now, offline_after)
        result.append(
            RelayView(
                id=relay.id,
                name=relay.name,
                status=relay_status(relay, replicas),
                enrolled_at=relay.enrolled_at,
                last_heartbeat_at=last_heartbeat(mine),
                instances=replicas,
                created_at=relay.created_at,
            )
        )
    return result

"""An entry of the audit log: who did what to which target, the outcome and the request id;
never a value. Written through the outbox in the caller's unit of work, so the entry commits
with what it records; the auth service files it (GET /api/v1/audit)."""

from __future__ import annotations

import uuid
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from keel_common.bus.topics import events_topic
from keel_common.contracts.audit import AuditRecorded
from keel_common.contracts.base import Envelope
from keel_common.outbox.writer import publish_after_commit

AUDIT_TOPIC = events_topic("audit")

Outcome = Literal["success", "failure", "denied"]


async def audit(
    session: AsyncSession,
    action: str,
    outcome: Outcome,
    *,
    actor: str | None,
    target: str,
    request_id: str | None,
    reason: str | None = None,
    workspace: uuid.UUID | None = None,
) -> None:
    event = AuditRecorded(
        action=action, outcome=outcome, target=target, reason=reason, request_id=request_id
    )
    # The workspace files the entry under that workspace's audit log (auth keeps the log).
    envelope = Envelope.wrap(event, workspace=workspace, actor=actor, request_id=request_id)
    await publish_after_commit(session, AUDIT_TOPIC, envelope, key=target)

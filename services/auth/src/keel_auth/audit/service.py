"""Recording audit events and reading them back. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from keel_auth.audit.models import AuditEntry
from keel_auth.identity.models import User, Workspace
from keel_auth.service_accounts.models import ServiceAccount
from keel_common.contracts.audit import AuditRecorded, ListAudit
from keel_common.contracts.base import Envelope
from keel_common.errors import InvalidInput
from keel_common.paging import decode_cursor, encode_cursor


async def record(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    """Keep these audit events; a redelivered message changes nothing."""
    if not envelopes:
        return
    workspaces = {e.workspace for e in envelopes if e.workspace is not None}
    organizations = await _organizations_of(session, workspaces) if workspaces else {}
    rows = [await _row(session, envelope, organizations) for envelope in envelopes]
    # Plain values under one statement, whatever the batch size: SQLAlchemy compiles it
    # once and asyncpg sends the rows in one pipelined executemany. A statement built per
    # batch (rows of values and subqueries) was compiled anew every time, among auth's
    # largest costs per entry.
    await session.execute(insert(AuditEntry).on_conflict_do_nothing(index_elements=["id"]), rows)


async def _organizations_of(
    session: AsyncSession, workspaces: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """Most entries name their workspace, whose organization never changes."""
    found = await session.execute(
        select(Workspace.id, Workspace.organization_id).where(Workspace.id.in_(workspaces))
    )
    return {workspace: organization for workspace, organization in found}


async def _row(
    session: AsyncSession, envelope: Envelope, organizations: dict[uuid.UUID, uuid.UUID]
) -> dict[str, Any]:
    event = envelope.open(AuditRecorded)
    if envelope.workspace is not None:
        organization = organizations.get(envelope.workspace)
    else:
        organization = await _organization_of(session, envelope, event)
    return {
        "id": envelope.id,
        "at": envelope.occurred_at,
        "organization_id": organization,
        "workspace_id": envelope.workspace,
        "actor": envelope.actor,
        "action": event.action,
        "outcome": event.outcome,
        "target": event.target,
        "reason": event.reason,
        "source_ip": event.source_ip,
        "request_id": event.request_id or envelope.request_id,
    }


async def _organization_of(
    session: AsyncSession, envelope: Envelope, event: AuditRecorded
) -> uuid.UUID | None:
    """Whose log an entry without a workspace belongs in: the acting user's or service
    account's, else the targeted user's (a failed login names only its target)."""
    for subject in (envelope.actor, event.target):
        kind, _, raw = (subject or "").partition(":")
        try:
            subject_id = uuid.UUID(raw)
        except ValueError:
            continue
        if kind == "user":
            query = select(User.organization_id).where(User.id == subject_id)
        elif kind == "service_account":
            query = select(ServiceAccount.organization_id).where(ServiceAccount.id == subject_id)
        else:
            continue
        found = await session.scalar(query)
        if found is not None:
            return found
    return None


async def page(
    session: AsyncSession,
    organization_id: uuid.UUID,
    workspace_id: uuid.UUID | None,
    request: ListAudit,
) -> tuple[list[AuditEntry], str | None]:
    """Newest first, keyset-paged on (at, id)."""
    query = select(AuditEntry).where(AuditEntry.organization_id == organization_id)
    if workspace_id is not None:
        query = query.where(AuditEntry.workspace_id == workspace_id)
    if request.actor is not None:
        query = query.where(AuditEntry.actor == request.actor)
    if request.action_prefix:
        query = query.where(AuditEntry.action.startswith(request.action_prefix, autoescape=True))
    if request.target_prefix:
        query = query.where(AuditEntry.target.startswith(request.target_prefix, autoescape=True))
    if request.outcome is not None:
        query = query.where(AuditEntry.outcome == request.outcome)
    if request.since is not None:
        query = query.where(AuditEntry.at >= request.since)
    if request.until is not None:
        query = query.where(AuditEntry.at < request.until)
    if request.cursor:
        at, last = _after(request.cursor)
        query = query.where(tuple_(AuditEntry.at, AuditEntry.id) < tuple_(at, last))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(request.limit + 1)
    rows = list((await session.execute(query)).scalars())
    items = rows[: request.limit]
    if len(rows) <= request.limit:
        return items, None
    last_row = items[-1]
    return items, encode_cursor([last_row.at.isoformat(), str(last_row.id)])


def _after(cursor: str) -> tuple[datetime, uuid.UUID]:
    at, last = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(str(at)), uuid.UUID(str(last))
    except ValueError:
        raise InvalidInput("the cursor is not one this API returned", field="cursor") from None

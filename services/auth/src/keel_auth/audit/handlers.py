"""RPC and events: the audit log. The gateway has checked `audit:read` in the workspace
(or the organization) the request names; the query is confined to the caller's
organization whatever the request says."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from keel_auth.audit import service
from keel_auth.audit.models import AuditEntry
from keel_auth.rbac.service import principal_of
from keel_common.bus.events import subscribe_event_batches
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.audit import AuditEntryView, AuditPage, ListAudit
from keel_common.contracts.base import Envelope
from keel_common.db.database import Database
from keel_common.settings import BusSettings


def view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        id=entry.id,
        at=entry.at,
        workspace_id=entry.workspace_id,
        actor=entry.actor,
        action=entry.action,
        outcome=entry.outcome,
        target=entry.target,
        reason=entry.reason,
        source_ip=entry.source_ip,
        request_id=entry.request_id,
    )


def register(router: RpcRouter) -> None:
    @router.method(ListAudit)
    async def list_audit(request: ListAudit, ctx: RpcContext) -> AuditPage:
        principal = await principal_of(ctx.db(), ctx.actor)
        entries, cursor = await service.page(
            ctx.db(), principal.organization_id, ctx.workspace, request
        )
        return AuditPage(items=[view(e) for e in entries], next_cursor=cursor)


def subscribe(broker: KafkaBroker, bus: BusSettings, db: Database, topic: str) -> None:
    """Every service's audit events into the log, as many as have arrived in one
    transaction. Rows are keyed by message id, so a redelivered event needs no inbox to
    change nothing."""

    async def keep_all(envelopes: list[Envelope]) -> None:
        async with db.transaction() as session:
            await service.record(session, envelopes)

    async def keep(envelope: Envelope) -> None:
        await keep_all([envelope])

    subscribe_event_batches(
        broker,
        bus,
        topics=[topic],
        group_id="keel-auth-audit",
        batch_handler=keep_all,
        handler=keep,
    )

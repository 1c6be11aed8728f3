"""Audit events: who did what to which target, with what outcome. Never a credential."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from keel_common.contracts.base import Contract


class AuditRecorded(Contract):
    TYPE: ClassVar[str] = "keel.audit.recorded"

    # e.g. `auth.login`, `auth.refresh`, `workspace.create`, `api_key.revoke`
    action: str = Field(max_length=100)
    outcome: Literal["success", "failure", "denied"]
    # `user:<id>`, `workspace:<id>`, `email:<address>` for unknown users...
    target: str | None = Field(default=None, max_length=400)
    reason: str | None = Field(default=None, max_length=400)
    source_ip: str | None = Field(default=None, max_length=64)
    # The gateway request id that led here, to join audit with access logs.
    request_id: str | None = Field(default=None, max_length=200)


MAX_AUDIT_PAGE = 200


class ListAudit(Contract):
    """Audit entries, newest first: of the envelope's workspace when it names one, else of
    the caller's whole organization."""

    TYPE: ClassVar[str] = "keel.audit.list"
    actor: str | None = Field(default=None, max_length=200)
    action_prefix: str | None = Field(default=None, max_length=100)
    outcome: Literal["success", "failure", "denied"] | None = None
    target_prefix: str | None = Field(default=None, max_length=400)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=MAX_AUDIT_PAGE)


class AuditEntryView(Contract):
    TYPE: ClassVar[str] = "keel.audit.entry"
    id: uuid.UUID
    at: datetime
    workspace_id: uuid.UUID | None
    actor: str | None
    action: str
    outcome: str
    target: str | None
    reason: str | None
    source_ip: str | None
    request_id: str | None


class AuditPage(Contract):
    TYPE: ClassVar[str] = "keel.audit.page"
    items: list[AuditEntryView]
    next_cursor: str | None

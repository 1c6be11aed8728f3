"""Audit events: who did what to which target, with what outcome. Never a credential."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

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

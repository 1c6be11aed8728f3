"""`/api/v1/workspaces/{workspace_id}/audit` and `/api/v1/audit`: who did what, to which
target, with what outcome, from every service, newest first. Admins only (`audit:read`)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from keel_common.contracts.audit import MAX_AUDIT_PAGE, AuditPage, ListAudit
from keel_gateway.auth.permissions import require_org
from keel_gateway.auth.principal import Principal
from keel_gateway.calls import WorkspaceCall, workspace_call
from keel_gateway.dependencies import Rpc

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.

router = APIRouter(prefix="/api/v1", tags=["audit"])

AuditReader = Annotated[WorkspaceCall, Depends(workspace_call("auth", "audit:read"))]


class AuditQuery(BaseModel):
    """Filters and page of the audit log (query parameters); filters combine."""

    model_config = ConfigDict(extra="forbid")
    actor: str | None = Field(default=None, max_length=200)
    action_prefix: str | None = Field(default=None, max_length=100)
    outcome: Literal["success", "failure", "denied"] | None = None
    target_prefix: str | None = Field(default=None, max_length=400)
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=MAX_AUDIT_PAGE)


@router.get("/workspaces/{workspace_id}/audit", response_model=AuditPage)
async def workspace_audit(call: AuditReader, query: Annotated[AuditQuery, Query()]) -> AuditPage:
    """This workspace's entries: secret access, backend and relay changes..."""
    return await call.ask(ListAudit.model_validate(query.model_dump()), AuditPage)


@router.get("/audit", response_model=AuditPage)
async def organization_audit(
    principal: Annotated[Principal, Depends(require_org("audit:read"))],
    client: Rpc,
    query: Annotated[AuditQuery, Query()],
) -> AuditPage:
    """The whole organization's entries, sign-ins included."""
    request = ListAudit.model_validate(query.model_dump())
    return await client.call("auth", request, AuditPage, actor=principal.subject)

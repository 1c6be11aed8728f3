"""`/api/v1/workspaces/{workspace_id}/audit` and `/api/v1/audit`: who did what, to which
target, with what outcome, from every service, newest first. Admins only (`audit:read`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from keel_common.contracts.audit import AuditPage, ListAudit
from keel_gateway.auth.permissions import require_org
from keel_gateway.auth.principal import Principal
from keel_gateway.calls import WorkspaceCall, workspace_call
from keel_gateway.dependencies import Rpc

# No `from __future__ import annotations`: FastAPI reads these annotations at runtime.

router = APIRouter(prefix="/api/v1", tags=["audit"])

AuditReader = Annotated[WorkspaceCall, Depends(workspace_call("auth", "audit:read"))]


@router.get("/workspaces/{workspace_id}/audit", response_model=AuditPage)
async def workspace_audit(call: AuditReader, query: Annotated[ListAudit, Query()]) -> AuditPage:
    """This workspace's entries: secret access, backend and relay changes..."""
    return await call.ask(query, AuditPage)


@router.get("/audit", response_model=AuditPage)
async def organization_audit(
    principal: Annotated[Principal, Depends(require_org("audit:read"))],
    client: Rpc,
    query: Annotated[ListAudit, Query()],
) -> AuditPage:
    """The whole organization's entries, sign-ins included (filters and page as the
    contract's fields: the query parameters are the request itself)."""
    return await client.call("auth", query, AuditPage, actor=principal.subject)

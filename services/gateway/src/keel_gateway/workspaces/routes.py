"""`/api/v1/workspaces`: forwarded to the auth service, which owns workspaces."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from keel_common.contracts.auth import CreateWorkspace, ListWorkspaces, WorkspaceList, WorkspaceView
from keel_gateway.auth.permissions import require_org
from keel_gateway.auth.principal import CurrentPrincipal, Principal
from keel_gateway.dependencies import Rpc
from keel_gateway.idempotency import IdempotencyKey

router = APIRouter(prefix="/api/v1/workspaces", tags=["workspaces"])


class WorkspacePage(BaseModel):
    items: list[WorkspaceView]


@router.post("", status_code=201, response_model=WorkspaceView)
async def create_workspace(
    body: CreateWorkspace,
    principal: Annotated[Principal, Depends(require_org("workspace:create"))],
    client: Rpc,
    key: IdempotencyKey,
) -> WorkspaceView:
    return await client.call(
        "auth", body, WorkspaceView, actor=principal.subject, idempotency_key=key
    )


@router.get("", response_model=WorkspacePage)
async def list_workspaces(principal: CurrentPrincipal, client: Rpc) -> WorkspacePage:
    """The workspaces the caller may see."""
    answer = await client.call("auth", ListWorkspaces(), WorkspaceList, actor=principal.subject)
    return WorkspacePage(items=answer.items)

"""`/api/v1/workspaces/{workspace_id}/service-accounts[...]`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from keel_common.contracts.auth import (
    ApiKeyCreated,
    ApiKeyRevoked,
    CreateApiKey,
    CreateServiceAccount,
    ListServiceAccounts,
    RevokeApiKey,
    ServiceAccountList,
    ServiceAccountView,
    WorkspaceRole,
)
from keel_common.crypto.sealed import EphemeralKey
from keel_gateway.auth.permissions import require_workspace
from keel_gateway.auth.principal import Principal
from keel_gateway.dependencies import Rpc
from keel_gateway.idempotency import IdempotencyKey

router = APIRouter(
    prefix="/api/v1/workspaces/{workspace_id}/service-accounts", tags=["service accounts"]
)


class NewServiceAccount(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: WorkspaceRole = "viewer"


class NewApiKey(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiKeyResponse(BaseModel):
    id: uuid.UUID
    name: str
    key: str = Field(description="Shown once. Keel keeps only its hash.")
    expires_at: datetime | None


@router.post("", status_code=201, response_model=ServiceAccountView)
async def create_service_account(
    workspace_id: uuid.UUID,
    body: NewServiceAccount,
    principal: Annotated[Principal, Depends(require_workspace("service_account:create"))],
    client: Rpc,
    key: IdempotencyKey,
) -> ServiceAccountView:
    request = CreateServiceAccount(workspace=workspace_id, name=body.name, role=body.role)
    return await client.call(
        "auth", request, ServiceAccountView, actor=principal.subject, idempotency_key=key
    )


@router.get("", response_model=ServiceAccountList)
async def list_service_accounts(
    workspace_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_workspace("service_account:read"))],
    client: Rpc,
) -> ServiceAccountList:
    request = ListServiceAccounts(workspace=workspace_id)
    return await client.call("auth", request, ServiceAccountList, actor=principal.subject)


@router.post("/{account_id}/api-keys", status_code=201, response_model=ApiKeyResponse)
async def create_api_key(
    *,
    workspace_id: uuid.UUID,
    account_id: uuid.UUID,
    body: NewApiKey,
    principal: Annotated[Principal, Depends(require_workspace("service_account:update"))],
    client: Rpc,
    key: IdempotencyKey,
) -> ApiKeyResponse:
    """Create an API key; use it as `Authorization: Bearer <key>` (or MLFLOW_TRACKING_TOKEN)."""
    reply = EphemeralKey.generate()
    request = CreateApiKey(
        workspace=workspace_id,
        service_account_id=account_id,
        name=body.name,
        expires_in_days=body.expires_in_days,
        reply_key=reply.public_text,
    )
    created = await client.call(
        "auth", request, ApiKeyCreated, actor=principal.subject, idempotency_key=key
    )
    return ApiKeyResponse(
        id=created.id,
        name=created.name,
        key=reply.open(created.key, context=ApiKeyCreated.TYPE).decode(),
        expires_at=created.expires_at,
    )


@router.delete("/{account_id}/api-keys/{key_id}", status_code=204)
async def revoke_api_key(
    workspace_id: uuid.UUID,
    account_id: uuid.UUID,
    key_id: uuid.UUID,
    principal: Annotated[Principal, Depends(require_workspace("service_account:update"))],
    client: Rpc,
) -> Response:
    request = RevokeApiKey(workspace=workspace_id, service_account_id=account_id, key_id=key_id)
    await client.call("auth", request, ApiKeyRevoked, actor=principal.subject)
    return Response(status_code=204)

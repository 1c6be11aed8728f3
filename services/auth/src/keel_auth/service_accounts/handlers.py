"""RPC: service accounts and API keys. A new key leaves sealed to the requester; a key
presented for verification arrives sealed to this service."""

from __future__ import annotations

from keel_auth.keys.service import KeyService
from keel_auth.rbac.service import principal_of
from keel_auth.service_accounts import service
from keel_auth.service_accounts.models import ServiceAccount
from keel_auth.sessions.handlers import open_sealed
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import (
    ApiKeyCreated,
    ApiKeyIdentity,
    ApiKeyRevoked,
    CreateApiKey,
    CreateServiceAccount,
    ListServiceAccounts,
    RevokeApiKey,
    ServiceAccountList,
    ServiceAccountView,
    VerifyApiKey,
)
from keel_common.crypto.sealed import seal_to_requester


def view(account: ServiceAccount) -> ServiceAccountView:
    return ServiceAccountView(
        id=account.id,
        workspace_id=account.workspace_id,
        name=account.name,
        active=account.active,
        created_at=account.created_at,
    )


def register(router: RpcRouter, keys: KeyService) -> None:
    @router.method(CreateServiceAccount)
    async def create_account(request: CreateServiceAccount, ctx: RpcContext) -> ServiceAccountView:
        principal = await principal_of(ctx.db(), ctx.actor)
        account = await service.create_account(
            ctx.db(), principal, request.workspace, request.name, request.role
        )
        return view(account)

    @router.method(ListServiceAccounts)
    async def list_accounts(request: ListServiceAccounts, ctx: RpcContext) -> ServiceAccountList:
        principal = await principal_of(ctx.db(), ctx.actor)
        found = await service.accounts(ctx.db(), principal, request.workspace)
        return ServiceAccountList(items=[view(a) for a in found])

    @router.method(CreateApiKey)
    async def create_key(request: CreateApiKey, ctx: RpcContext) -> ApiKeyCreated:
        principal = await principal_of(ctx.db(), ctx.actor)
        new = await service.create_key(
            ctx.db(),
            principal,
            workspace_id=request.workspace,
            account_id=request.service_account_id,
            name=request.name,
            expires_in_days=request.expires_in_days,
        )
        sealed = seal_to_requester(
            new.plaintext.encode(), request.reply_key, context=ApiKeyCreated.TYPE
        )
        return ApiKeyCreated(
            id=new.key.id, name=new.key.name, key=sealed, expires_at=new.key.expires_at
        )

    @router.method(RevokeApiKey)
    async def revoke_key(request: RevokeApiKey, ctx: RpcContext) -> ApiKeyRevoked:
        principal = await principal_of(ctx.db(), ctx.actor)
        await service.revoke_key(
            ctx.db(),
            principal,
            workspace_id=request.workspace,
            account_id=request.service_account_id,
            key_id=request.key_id,
        )
        return ApiKeyRevoked(key_id=request.key_id, service_account_id=request.service_account_id)

    @router.method(VerifyApiKey)
    async def verify_key(request: VerifyApiKey, ctx: RpcContext) -> ApiKeyIdentity:
        plaintext = await open_sealed(keys, ctx, request.key, VerifyApiKey.TYPE)
        account, key = await service.verify_key(ctx.db(), plaintext)
        return ApiKeyIdentity(
            subject=f"service_account:{account.id}",
            organization_id=account.organization_id,
            workspace_id=account.workspace_id,
            key_id=key.id,
        )

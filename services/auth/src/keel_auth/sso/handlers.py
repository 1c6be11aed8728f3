"""RPC: SSO configuration and login. The client secret and the authorization code arrive
sealed to this service; the tokens leave sealed to the requester."""

from __future__ import annotations

import uuid

from keel_auth.keys.service import KeyService
from keel_auth.rbac.service import principal_of
from keel_auth.sessions.handlers import open_sealed, sealed_pair
from keel_auth.sso.models import SsoConfig
from keel_auth.sso.service import PendingDevice, SsoService
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.sso import (
    ConfigureSso,
    ConfirmSsoDevice,
    DeviceToConfirm,
    FinishSso,
    SsoConfigView,
    SsoDeviceConfirmed,
    SsoFinished,
    SsoRedirect,
    StartSso,
)
from keel_common.crypto.sealed import seal_to_requester


def view(config: SsoConfig) -> SsoConfigView:
    return SsoConfigView(
        organization_id=config.organization_id,
        issuer=config.issuer,
        client_id=config.client_id,
        allowed_domains=config.allowed_domains,
        enabled=config.enabled,
        has_client_secret=config.client_secret_wrapped is not None,
        group_claim=config.group_claim,
        group_teams={group: uuid.UUID(team) for group, team in config.group_teams.items()},
    )


def register(router: RpcRouter, keys: KeyService, sso: SsoService) -> None:
    @router.method(ConfigureSso)
    async def configure(request: ConfigureSso, ctx: RpcContext) -> SsoConfigView:
        principal = await principal_of(ctx.db(), ctx.actor)
        secret = (
            await open_sealed(keys, ctx, request.client_secret, ConfigureSso.TYPE)
            if request.client_secret
            else None
        )
        return view(await sso.configure(ctx.db(), principal, request, secret))

    @router.method(StartSso)
    async def start(request: StartSso, ctx: RpcContext) -> SsoRedirect:
        url = await sso.start(
            ctx.db(), request.organization_id, request.callback_url, request.user_code
        )
        return SsoRedirect(authorization_url=url)

    @router.method(FinishSso)
    async def finish(request: FinishSso, ctx: RpcContext) -> SsoFinished:
        code = await open_sealed(keys, ctx, request.code, FinishSso.TYPE)
        finished = await sso.finish(ctx.db(), request.state, code, request.source_ip)
        if isinstance(finished, PendingDevice):
            confirmation = seal_to_requester(
                finished.confirmation.encode(), request.reply_key, context=ConfirmSsoDevice.TYPE
            )
            device = DeviceToConfirm(user_code=finished.user_code, confirmation=confirmation)
            return SsoFinished(device=device)
        return SsoFinished(tokens=sealed_pair(finished, request.reply_key))

    @router.method(ConfirmSsoDevice)
    async def confirm(request: ConfirmSsoDevice, ctx: RpcContext) -> SsoDeviceConfirmed:
        confirmation = await open_sealed(keys, ctx, request.confirmation, ConfirmSsoDevice.TYPE)
        return SsoDeviceConfirmed(user_code=await sso.confirm_device(ctx.db(), confirmation))

"""RPC: device login. The device code leaves sealed to the CLI's gateway request and
comes back sealed to this service; tokens leave sealed to the requester."""

from __future__ import annotations

from keel_auth.device import service
from keel_auth.keys.service import KeyService
from keel_auth.rbac.service import principal_of
from keel_auth.sessions.handlers import open_sealed, sealed_pair
from keel_auth.sessions.service import SessionService
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import TokenPair
from keel_common.contracts.device import (
    ApproveDeviceLogin,
    DeviceLoginApproved,
    DeviceLoginStarted,
    PollDeviceLogin,
    StartDeviceLogin,
)
from keel_common.crypto.sealed import seal_to_requester


def register(router: RpcRouter, keys: KeyService, sessions: SessionService) -> None:
    @router.method(StartDeviceLogin)
    async def start(request: StartDeviceLogin, ctx: RpcContext) -> DeviceLoginStarted:
        started = await service.start(ctx.db())
        return DeviceLoginStarted(
            device_code=seal_to_requester(
                started.device_code.encode(), request.reply_key, context=DeviceLoginStarted.TYPE
            ),
            user_code=started.user_code,
            expires_in=started.expires_in,
            interval=started.interval,
        )

    @router.method(ApproveDeviceLogin)
    async def approve(request: ApproveDeviceLogin, ctx: RpcContext) -> DeviceLoginApproved:
        principal = await principal_of(ctx.db(), ctx.actor)
        await service.approve(ctx.db(), principal, request.user_code)
        return DeviceLoginApproved()

    @router.method(PollDeviceLogin)
    async def poll(request: PollDeviceLogin, ctx: RpcContext) -> TokenPair:
        device_code = await open_sealed(keys, ctx, request.device_code, PollDeviceLogin.TYPE)
        tokens = await service.poll(ctx.db(), sessions, device_code)
        return sealed_pair(tokens, request.reply_key)

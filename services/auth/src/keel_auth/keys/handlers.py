"""RPC: the JWKS and the sealing key, both public."""

from __future__ import annotations

from keel_auth.keys.service import KeyService
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import GetJwks, GetSealingKey, Jwks, SealingKey


def register(router: RpcRouter, keys: KeyService) -> None:
    @router.method(GetJwks)
    async def get_jwks(_: GetJwks, ctx: RpcContext) -> Jwks:
        return Jwks(keys=await keys.jwks(ctx.db()))

    @router.method(GetSealingKey)
    async def get_sealing_key(_: GetSealingKey, ctx: RpcContext) -> SealingKey:
        kid, public_key = await keys.sealing_public(ctx.db())
        return SealingKey(kid=kid, public_key=public_key)

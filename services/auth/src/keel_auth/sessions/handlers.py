"""RPC: password login and refresh. Credentials arrive sealed to this service and the
tokens leave sealed to the requester's one-use key; neither is ever readable on Kafka."""

from __future__ import annotations

from keel_auth.keys.service import KeyService
from keel_auth.sessions.service import IssuedTokens, SessionService
from keel_common.bus.rpc_server import RpcContext, RpcRouter
from keel_common.contracts.auth import PasswordLogin, RefreshTokens, TokenPair
from keel_common.crypto.sealed import Sealed, seal_to_requester, unseal
from keel_common.errors import InvalidInput


async def open_sealed(keys: KeyService, ctx: RpcContext, sealed: Sealed, context: str) -> str:
    """A credential the gateway sealed to this service."""
    private = await keys.sealing_private(ctx.db(), sealed.kid)
    if private is None:
        raise InvalidInput("the value is sealed to an unknown key; fetch the sealing key again")
    return unseal(sealed, private, context=context).decode()


def sealed_pair(tokens: IssuedTokens, reply_key: str) -> TokenPair:
    """Tokens for the requester's eyes only: sealed to the one-use key it sent."""
    return TokenPair(
        access_token=seal_to_requester(
            tokens.access_token.encode(), reply_key, context=TokenPair.TYPE + ".access"
        ),
        refresh_token=seal_to_requester(
            tokens.refresh_token.encode(), reply_key, context=TokenPair.TYPE + ".refresh"
        ),
        expires_in=tokens.expires_in,
    )


def register(router: RpcRouter, keys: KeyService, sessions: SessionService) -> None:
    @router.method(PasswordLogin)
    async def password_login(request: PasswordLogin, ctx: RpcContext) -> TokenPair:
        password = await open_sealed(keys, ctx, request.password, PasswordLogin.TYPE)
        tokens = await sessions.password_login(ctx.db(), request.email, password, request.source_ip)
        return sealed_pair(tokens, request.reply_key)

    @router.method(RefreshTokens)
    async def refresh(request: RefreshTokens, ctx: RpcContext) -> TokenPair:
        token = await open_sealed(keys, ctx, request.refresh_token, RefreshTokens.TYPE)
        tokens = await sessions.refresh(ctx.db(), token, request.source_ip)
        return sealed_pair(tokens, request.reply_key)

"""Sign-in routes and the public key documents.

The password and refresh token are sealed to the auth service before they go on Kafka;
the tokens come back sealed to a key this request made and throws away.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, SecretStr

from keel_common.contracts.auth import Email, GetJwks, Jwks, PasswordLogin, RefreshTokens, TokenPair
from keel_common.crypto.sealed import EphemeralKey
from keel_gateway.auth.rate_limit import limit_sign_in
from keel_gateway.auth.sealing import AuthSealingKey
from keel_gateway.dependencies import Rpc, Settings

router = APIRouter(tags=["auth"])


class LoginRequest(BaseModel):
    email: Email
    password: SecretStr = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    refresh_token: SecretStr = Field(min_length=1, max_length=512)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


async def sealing_key(request: Request) -> AuthSealingKey:
    key: AuthSealingKey = request.app.state.auth_sealing_key
    return key


def opened_tokens(pair: TokenPair, reply: EphemeralKey) -> TokenResponse:
    return TokenResponse(
        access_token=reply.open(pair.access_token, context=TokenPair.TYPE + ".access").decode(),
        refresh_token=reply.open(pair.refresh_token, context=TokenPair.TYPE + ".refresh").decode(),
        expires_in=pair.expires_in,
    )


@router.post(
    "/api/v1/auth/login", response_model=TokenResponse, dependencies=[Depends(limit_sign_in)]
)
async def login(
    body: LoginRequest,
    request: Request,
    client: Rpc,
    seal_for_auth: Annotated[AuthSealingKey, Depends(sealing_key)],
) -> TokenResponse:
    """Sign in with email and password (local accounts, e.g. air-gapped installs)."""
    reply = EphemeralKey.generate()
    login_request = PasswordLogin(
        email=body.email,
        password=await seal_for_auth.seal(
            body.password.get_secret_value(), context=PasswordLogin.TYPE
        ),
        reply_key=reply.public_text,
        source_ip=request.client.host if request.client else None,
    )
    return opened_tokens(await client.call("auth", login_request, TokenPair), reply)


@router.post(
    "/api/v1/auth/refresh", response_model=TokenResponse, dependencies=[Depends(limit_sign_in)]
)
async def refresh(
    body: RefreshRequest,
    request: Request,
    client: Rpc,
    seal_for_auth: Annotated[AuthSealingKey, Depends(sealing_key)],
) -> TokenResponse:
    """Trade a refresh token for new tokens; each refresh token works once."""
    reply = EphemeralKey.generate()
    refresh_request = RefreshTokens(
        refresh_token=await seal_for_auth.seal(
            body.refresh_token.get_secret_value(), context=RefreshTokens.TYPE
        ),
        reply_key=reply.public_text,
        source_ip=request.client.host if request.client else None,
    )
    return opened_tokens(await client.call("auth", refresh_request, TokenPair), reply)


@router.get("/.well-known/jwks.json")
async def jwks(client: Rpc) -> dict[str, Any]:
    """The public keys that verify Keel's access tokens."""
    answer = await client.call("auth", GetJwks(), Jwks)
    return {"keys": answer.keys}


@router.get("/.well-known/openid-configuration")
async def discovery(config: Settings) -> dict[str, Any]:
    return {
        "issuer": config.issuer,
        "jwks_uri": f"{config.issuer}/.well-known/jwks.json",
        "token_endpoint": f"{config.issuer}/api/v1/auth/login",
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "grant_types_supported": ["password", "refresh_token"],
    }

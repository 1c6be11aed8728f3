"""Who is calling: the verified bearer token, as a typed FastAPI dependency."""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from keel_common.auth.tokens import TokenVerifier
from keel_common.bus.rpc_client import RpcClient
from keel_common.contracts.auth import GetJwks, Jwks
from keel_common.errors import Unauthenticated
from keel_gateway.auth.api_keys import API_KEY_PREFIX, ApiKeyCache
from keel_gateway.edge.rate import limit_principal
from keel_gateway.settings import GatewaySettings

bearer = HTTPBearer(auto_error=False, description="A Keel access token")
MLFLOW_PATHS = "/mlflow/"


@dataclass(frozen=True)
class Principal:
    subject: str  # `user:<id>` or `service_account:<id>`
    organization_id: uuid.UUID
    # API keys are confined to one workspace.
    workspace_id: uuid.UUID | None = None


def make_verifier(rpc: RpcClient, settings: GatewaySettings) -> TokenVerifier:
    async def fetch_jwks() -> dict[str, Any]:
        jwks = await rpc.call("auth", GetJwks(), Jwks)
        return {"keys": jwks.keys}

    return TokenVerifier(issuer=settings.issuer, audience=settings.audience, fetch_jwks=fetch_jwks)


def _basic_api_key(request: Request) -> str | None:
    """The API key an MLflow client sends as the password of Basic auth
    (MLFLOW_TRACKING_USERNAME/PASSWORD); only the MLflow routes take it."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not request.url.path.startswith(MLFLOW_PATHS):
        return None
    try:
        _, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if password.startswith(API_KEY_PREFIX) else None


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    token = credentials.credentials if credentials else _basic_api_key(request)
    if token is None:
        raise Unauthenticated("send `Authorization: Bearer <token>`")
    if token.startswith(API_KEY_PREFIX):
        api_keys: ApiKeyCache = request.app.state.api_keys
        identity = await api_keys.verify(token)
        request.state.principal = identity.subject
        limit_principal(request, identity.subject)
        return Principal(identity.subject, identity.organization_id, identity.workspace_id)
    verifier: TokenVerifier = request.app.state.verifier
    claims = await verifier.verify(token)
    if claims.sub in request.app.state.deactivated:
        raise Unauthenticated("the user is deactivated")
    organization = (claims.model_extra or {}).get("org")
    try:
        organization_id = uuid.UUID(str(organization))
    except ValueError:
        raise Unauthenticated("the token names no organization") from None
    request.state.principal = claims.sub
    limit_principal(request, claims.sub)
    return Principal(subject=claims.sub, organization_id=organization_id)


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]

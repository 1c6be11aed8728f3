"""Single sign-on routes: organization SSO settings, and the browser's round trip to the IdP.

`/start` redirects to the organization's identity provider; the IdP sends the browser back
to `/callback`, whose authorization code is sealed to the auth service before it goes on
Kafka. The callback answers with Keel tokens; or, when `/start` was given a device login's
user code (`keel login --sso`), with a page asking to confirm that code (sso_device.py):
the tokens then go to the device, never to the browser.
"""

from __future__ import annotations

import uuid
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field, SecretStr

from keel_common.contracts.auth import TokenPair
from keel_common.contracts.sso import (
    ConfigureSso,
    Domains,
    FinishSso,
    SsoConfigView,
    SsoFinished,
    SsoRedirect,
    StartSso,
)
from keel_common.crypto.sealed import EphemeralKey
from keel_common.errors import Unauthenticated
from keel_gateway.auth.permissions import require_org
from keel_gateway.auth.principal import Principal
from keel_gateway.auth.rate_limit import limit_sign_in
from keel_gateway.auth.routes import TokenResponse, opened_tokens, sealing_key
from keel_gateway.auth.sealing import AuthSealingKey
from keel_gateway.auth.sso_device import HTML_PAGE, confirmation_page
from keel_gateway.dependencies import Rpc, Settings

router = APIRouter(tags=["single sign-on"])

# As `keel login` shows it, or as a person retypes it: `ABCD-EFGH`, `abcdefgh`.
UserCodeQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z]{4}-?[A-Za-z]{4}$",
        description="Approve this device login (`keel login --sso`) instead of answering "
        "with tokens.",
    ),
]


class SsoSettings(BaseModel):
    issuer: str = Field(pattern=r"^https?://[^\s]+$", max_length=500)
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: SecretStr | None = Field(default=None, max_length=1000)
    allowed_domains: Domains = Field(default_factory=list)
    enabled: bool = True
    group_claim: str | None = Field(default=None, max_length=100)
    group_teams: dict[str, uuid.UUID] = Field(default_factory=dict, max_length=200)


def callback_url(issuer: str) -> str:
    return f"{issuer}/api/v1/auth/sso/callback"


@router.put("/api/v1/sso", response_model=SsoConfigView)
async def configure_sso(
    body: SsoSettings,
    principal: Annotated[Principal, Depends(require_org("organization:update"))],
    client: Rpc,
    seal_for_auth: Annotated[AuthSealingKey, Depends(sealing_key)],
) -> SsoConfigView:
    """Set the organization's OpenID Connect provider (Auth0, Keycloak, Okta, Google...)."""
    secret = (
        await seal_for_auth.seal(body.client_secret.get_secret_value(), context=ConfigureSso.TYPE)
        if body.client_secret
        else None
    )
    request = ConfigureSso(
        issuer=body.issuer,
        client_id=body.client_id,
        client_secret=secret,
        allowed_domains=body.allowed_domains,
        enabled=body.enabled,
        group_claim=body.group_claim,
        group_teams=body.group_teams,
    )
    return await client.call("auth", request, SsoConfigView, actor=principal.subject)


@router.get(
    "/api/v1/auth/sso/{organization_id}/start",
    status_code=302,
    dependencies=[Depends(limit_sign_in)],
)
async def start_sso(
    organization_id: uuid.UUID, client: Rpc, config: Settings, user_code: UserCodeQuery = None
) -> RedirectResponse:
    """Begin signing in through the organization's identity provider."""
    request = StartSso(
        organization_id=organization_id,
        callback_url=callback_url(config.issuer),
        user_code=_normalized(user_code) if user_code else None,
    )
    redirect = await client.call("auth", request, SsoRedirect)
    return RedirectResponse(redirect.authorization_url, status_code=302)


def _normalized(user_code: str) -> str:
    letters = user_code.replace("-", "").upper()
    return f"{letters[:4]}-{letters[4:]}"


@router.get(
    "/api/v1/auth/sso/callback",
    response_model=TokenResponse,
    responses={200: HTML_PAGE},
    dependencies=[Depends(limit_sign_in)],
)
async def finish_sso(
    *,
    request: Request,
    client: Rpc,
    seal_for_auth: Annotated[AuthSealingKey, Depends(sealing_key)],
    state: Annotated[str, Query(min_length=16, max_length=200)],
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> TokenResponse | HTMLResponse:
    """Where the identity provider sends the browser back: tokens (JSON), or for a device
    login the page that asks to confirm its code (HTML)."""
    if error is not None or code is None:
        raise Unauthenticated(f"the identity provider did not sign you in ({error or 'no code'})")
    reply = EphemeralKey.generate()
    finish = FinishSso(
        state=state,
        code=await seal_for_auth.seal(code, context=FinishSso.TYPE),
        reply_key=reply.public_text,
        source_ip=request.client.host if request.client else None,
    )
    finished = await client.call("auth", finish, SsoFinished)
    if finished.device is not None:
        return confirmation_page(finished.device, reply)
    # The contract holds one outcome or the other.
    return opened_tokens(cast(TokenPair, finished.tokens), reply)

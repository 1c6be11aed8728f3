"""Device login routes (RFC 8628) for the CLI.

`POST /device/code` starts; a signed-in user approves the shown code with
`POST /device/approve`; the CLI polls `POST /device/token` and gets 400 problems carrying
the RFC's `error` codes (`authorization_pending`, `slow_down`, `expired_token`...) until
it gets tokens.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from keel_common.contracts.auth import TokenPair
from keel_common.contracts.device import (
    ApproveDeviceLogin,
    DeviceLoginApproved,
    DeviceLoginStarted,
    PollDeviceLogin,
    StartDeviceLogin,
)
from keel_common.crypto.sealed import EphemeralKey
from keel_gateway.auth.principal import CurrentPrincipal
from keel_gateway.auth.rate_limit import limit_sign_in
from keel_gateway.auth.routes import TokenResponse, opened_tokens, sealing_key
from keel_gateway.auth.sealing import AuthSealingKey
from keel_gateway.dependencies import Rpc, Settings
from keel_gateway.problems import problem_doc

router = APIRouter(prefix="/api/v1/auth/device", tags=["auth"])

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class DeviceCode(BaseModel):
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class Approval(BaseModel):
    user_code: str = Field(min_length=4, max_length=20)


class DeviceTokenRequest(BaseModel):
    device_code: str = Field(min_length=10, max_length=200)
    grant_type: str = Field(default=DEVICE_GRANT, pattern=f"^{DEVICE_GRANT}$")


@router.post("/code", response_model=DeviceCode, dependencies=[Depends(limit_sign_in)])
async def start_device_login(client: Rpc, config: Settings) -> DeviceCode:
    reply = EphemeralKey.generate()
    started = await client.call(
        "auth", StartDeviceLogin(reply_key=reply.public_text), DeviceLoginStarted
    )
    verification = f"{config.issuer}/api/v1/auth/device/approve"
    return DeviceCode(
        device_code=reply.open(started.device_code, context=DeviceLoginStarted.TYPE).decode(),
        user_code=started.user_code,
        verification_uri=verification,
        verification_uri_complete=f"{verification}?user_code={started.user_code}",
        expires_in=started.expires_in,
        interval=started.interval,
    )


@router.post("/approve", status_code=204)
async def approve_device_login(
    body: Approval, principal: CurrentPrincipal, client: Rpc
) -> Response:
    """Approve the code your terminal shows, from your signed-in session."""
    request = ApproveDeviceLogin(user_code=body.user_code)
    await client.call("auth", request, DeviceLoginApproved, actor=principal.subject)
    return Response(status_code=204)


# Not under the per-address limit: a polling CLI is paced by `slow_down` instead, and the
# device code is 256 random bits.
@router.post(
    "/token",
    response_model=TokenResponse,
    responses={400: problem_doc("Not approved yet, or over: `error` holds the RFC 8628 code")},
)
async def poll_device_login(
    body: DeviceTokenRequest,
    client: Rpc,
    seal_for_auth: Annotated[AuthSealingKey, Depends(sealing_key)],
) -> TokenResponse:
    reply = EphemeralKey.generate()
    request = PollDeviceLogin(
        device_code=await seal_for_auth.seal(body.device_code, context=PollDeviceLogin.TYPE),
        reply_key=reply.public_text,
    )
    return opened_tokens(await client.call("auth", request, TokenPair), reply)
